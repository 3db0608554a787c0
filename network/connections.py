"""Gateway sessions on this network's peers as one of its enrolled identities.

Admin tooling (readiness checks, benchmarks) and tests connect the way a member's
application does: TLS to the org's own peer, identity and key from the MSP folder the
org's CA enrolled.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from envalue.client import Gateway, connect, create_channel, load_msp_identity, load_msp_signer

from . import nodes
from .settings import NetworkSettings
from .topology import Organization


@contextmanager
def gateway_for(settings: NetworkSettings, org: Organization, user: str) -> Iterator[Gateway]:
    """A Gateway session on `org`'s peer as `user` (a name under the org's users folder)."""
    msp = settings.layout.user(org, user) / "msp"
    channel = create_channel(nodes.peer_address(settings.ports, org),
                             tls_root_cert=nodes.peer_tls_root(settings.layout, org).read_bytes())
    with connect(load_msp_identity(msp, org.msp_id), client=channel,
                 signer=load_msp_signer(msp)) as gateway:
        yield gateway
