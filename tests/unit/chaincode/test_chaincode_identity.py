"""Creator certificate → Actor, Go-style ids, and the access checks' messages."""

from __future__ import annotations

import base64

import pytest
from chaincode_certs import ISSUER_DN, make_cert, operator_cert, subject
from cryptography.x509.oid import NameOID
from fabric_protos.msp import identities_pb2

from envalue.chaincode.identity import (
    AccessDeniedError,
    Actor,
    IdentityError,
    actor_from_certificate,
    actor_from_creator,
    require_msp,
    require_role,
)

pytestmark = pytest.mark.unit


def test_fabric_ca_certificate_gives_go_style_id_and_attrs() -> None:
    pem = make_cert(subject("alice", "client", "platform"), attrs={"role": "verifier", "x": "1"})
    actor = actor_from_certificate("PlatformMSP", pem)
    assert actor.msp_id == "PlatformMSP"
    # Go groups repeated OUs into one RDN joined with '+', in certificate order.
    assert actor.id == (
        "x509::CN=alice,OU=client+OU=platform,O=Hyperledger,ST=North Carolina,C=US::" + ISSUER_DN
    )
    assert dict(actor.attrs) == {"role": "verifier", "x": "1"}
    assert actor.role == "verifier"
    assert base64.b64decode(actor.go_id_base64).decode() == actor.id


def test_certificate_without_attribute_extension_has_no_role() -> None:
    actor = actor_from_certificate("CustomerMSP", make_cert(subject("bob", "client")))
    assert dict(actor.attrs) == {}
    assert actor.role is None


def test_dn_values_are_escaped_like_go() -> None:
    tricky = '#Smith, "Jr" +<x>;\\ '
    pem = make_cert([(NameOID.COMMON_NAME, tricky), (NameOID.ORGANIZATION_NAME, " lead")])
    actor = actor_from_certificate("MarketMSP", pem)
    subject_dn = actor.id.split("::")[1]
    assert subject_dn == 'CN=\\#Smith\\, \\"Jr\\" \\+\\<x\\>\\;\\\\\\ ,O=\\ lead'


def test_dn_uses_go_field_order_and_drops_unnamed_types() -> None:
    # Certificate order differs from Go's; emailAddress is not a type Go names.
    pem = make_cert(
        [
            (NameOID.COMMON_NAME, "carol"),
            (NameOID.EMAIL_ADDRESS, "carol@example.org"),
            (NameOID.ORGANIZATION_NAME, "Org"),
            (NameOID.COUNTRY_NAME, "DE"),
            (NameOID.LOCALITY_NAME, "Berlin"),
            (NameOID.SERIAL_NUMBER, "42"),
        ]
    )
    subject_dn = actor_from_certificate("MarketMSP", pem).id.split("::")[1]
    assert subject_dn == "SERIALNUMBER=42,CN=carol,O=Org,L=Berlin,C=DE"


def test_creator_as_serialized_identity_bytes_and_as_shim_dict() -> None:
    pem = operator_cert()
    serialized = identities_pb2.SerializedIdentity(mspid="PlatformMSP", id_bytes=pem)
    from_bytes = actor_from_creator(serialized.SerializeToString())
    from_dict = actor_from_creator({"mspid": "PlatformMSP", "idBytes": pem})
    assert from_bytes == from_dict
    assert from_bytes.role == "operator"


@pytest.mark.parametrize(
    ("creator", "message"),
    [
        ({}, "no creator"),
        ({"mspid": "PlatformMSP", "idBytes": b"not a certificate"}, "not an X.509 PEM"),
    ],
)
def test_bad_creators_raise_identity_error(creator: dict[str, object], message: str) -> None:
    with pytest.raises(IdentityError, match=message):
        actor_from_creator(creator)


@pytest.mark.parametrize(
    ("extension", "message"),
    [(b"{not json", "not JSON"), (b'{"other": 1}', '"attrs" object')],
)
def test_malformed_attribute_extension_is_rejected(extension: bytes, message: str) -> None:
    pem = make_cert(subject("dave"), raw_extension=extension)
    with pytest.raises(IdentityError, match=message):
        actor_from_certificate("PlatformMSP", pem)


ALICE = Actor(msp_id="Org1MSP", id="x509::CN=alice::CN=ca", attrs={"role": "customer"})


def test_require_role_passes_for_a_listed_role() -> None:
    require_role(ALICE, "verifier", "customer", function="mint")


def test_require_role_message_names_identity_role_and_requirement() -> None:
    with pytest.raises(AccessDeniedError) as info:
        require_role(ALICE, "verifier", "operator", function="mint")
    assert str(info.value) == (
        "access denied: identity x509::CN=alice::CN=ca of Org1MSP has role 'customer'; "
        "function mint requires role verifier or operator"
    )


def test_require_role_message_without_role_attribute() -> None:
    nobody = Actor(msp_id="CustomerMSP", id="x509::CN=bob::CN=ca")
    with pytest.raises(AccessDeniedError, match="has no role attribute; function retire requires"):
        require_role(nobody, "operator", function="retire")


def test_require_msp() -> None:
    require_msp(ALICE, "Org1MSP")
    with pytest.raises(AccessDeniedError) as info:
        require_msp(ALICE, "PlatformMSP", "MarketMSP", function="put_restricted")
    assert str(info.value) == (
        "access denied: identity x509::CN=alice::CN=ca of Org1MSP is not a member of the "
        "required organisations; function put_restricted requires MSP PlatformMSP or MarketMSP"
    )
