"""Gateway connections for integration tests, as a consortium member's application makes them."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from envalue.client import Gateway, connect, create_channel, load_msp_identity, load_msp_signer
from envalue.network import nodes
from envalue.network.settings import NetworkSettings
from envalue.network.topology import Organization


@contextmanager
def gateway_for(settings: NetworkSettings, org: Organization, user: str) -> Iterator[Gateway]:
    """A Gateway session on `org`'s peer as one of its enrolled users (or its admin)."""
    msp = settings.layout.user(org, user) / "msp"
    channel = create_channel(nodes.peer_address(settings.ports, org),
                             tls_root_cert=nodes.peer_tls_root(settings.layout, org).read_bytes())
    with connect(load_msp_identity(msp, org.msp_id), client=channel,
                 signer=load_msp_signer(msp)) as gateway:
        yield gateway
