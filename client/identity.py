"""Client identities: an MSP ID plus an X.509 certificate, serialized as msp.SerializedIdentity.

Also loads identity and signer from an MSP folder (``signcerts/`` and ``keystore/``) as written
by cryptogen, fabric-ca-client or :meth:`envalue.client.ca.Enrollment.write_msp`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography import x509
from fabric_protos.msp import identities_pb2

from .signers import EcdsaSigner, new_private_key_signer

__all__ = [
    "Identity",
    "X509Identity",
    "load_msp_identity",
    "load_msp_signer",
]


@runtime_checkable
class Identity(Protocol):
    """What the gateway needs of an identity: the MSP ID and the credentials bytes."""

    @property
    def msp_id(self) -> str: ...  # pragma: no cover - protocol

    @property
    def credentials(self) -> bytes: ...  # pragma: no cover - protocol

    def serialize(self) -> bytes: ...  # pragma: no cover - protocol


@dataclass(frozen=True)
class X509Identity:
    """An X.509 identity; ``cert_pem`` is the PEM certificate as issued by the MSP's CA."""

    msp_id: str
    cert_pem: bytes
    _certificate: x509.Certificate = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        cert_pem = self.cert_pem.encode() if isinstance(self.cert_pem, str) else self.cert_pem
        if not self.msp_id:
            raise ValueError("msp_id is required")
        object.__setattr__(self, "cert_pem", cert_pem)
        object.__setattr__(self, "_certificate", x509.load_pem_x509_certificate(cert_pem))

    @property
    def credentials(self) -> bytes:
        return self.cert_pem

    @property
    def certificate(self) -> x509.Certificate:
        return self._certificate

    def serialize(self) -> bytes:
        """Bytes of msp.SerializedIdentity{mspid, id_bytes=PEM}: the proposal creator."""
        return identities_pb2.SerializedIdentity(
            mspid=self.msp_id, id_bytes=self.cert_pem
        ).SerializeToString()


def _single_file(folder: Path) -> Path:
    if not folder.is_dir():
        raise FileNotFoundError(f"missing MSP folder {folder}")
    files = sorted(p for p in folder.iterdir() if p.is_file())
    if not files:
        raise FileNotFoundError(f"no file in {folder}")
    if len(files) > 1:
        preferred = [
            p for p in files if p.name in ("cert.pem", "key.pem") or p.name.endswith("_sk")
        ]
        if len(preferred) == 1:
            return preferred[0]
        raise ValueError(f"expected one file in {folder}, found {len(files)}")
    return files[0]


def load_msp_identity(msp_dir: str | Path, msp_id: str) -> X509Identity:
    """Identity from ``<msp_dir>/signcerts/`` (one certificate file)."""
    cert_file = _single_file(Path(msp_dir) / "signcerts")
    return X509Identity(msp_id, cert_file.read_bytes())


def load_msp_signer(msp_dir: str | Path) -> EcdsaSigner:
    """Signer from the private key in ``<msp_dir>/keystore/`` (one PEM key file)."""
    key_file = _single_file(Path(msp_dir) / "keystore")
    return new_private_key_signer(key_file.read_bytes())
