"""Who acts in the scenarios, and their holder keys.

The identities are the consortium's enrolled users (`envalue.network.topology.CONSORTIUM`):
the Platform's operator and verifier run the registry's genesis, factor governance,
minting and the credit program; Ena City (``municipality:city1``) and the customers own
sites and equipment. Holder keys (``<MSP>/<client id>``, what the chaincode derives from
a certificate) are needed to name owners and recipients in messages:

- `network_holders`: from the network's enrolled certificates (`envalue.ledger.identities`
  .holder_key); what `scenario load` uses, and `plan` when identities are enrolled;
- `symbolic_holders`: ``CustomerMSP/<customer:customer1>``, for a plan on a machine where
  no identity is enrolled yet (never sent: a ledger would refuse it as unknown).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from envalue.ledger.identities import holder_key, parse_identity
from envalue.network.settings import NetworkSettings

__all__ = [
    "BUYER",
    "CITY",
    "CUSTOMER",
    "Holders",
    "OPERATOR",
    "VERIFIER",
    "msp_of",
    "network_holders",
    "symbolic_holders",
]

OPERATOR = "platform:operator1"
VERIFIER = "platform:verifier1"
CITY = "municipality:city1"
CUSTOMER = "customer:customer1"
BUYER = "customer:customer2"

#: identity ``org:user`` -> its holder key.
Holders = Callable[[str], str]


def msp_of(identity: str) -> str:
    """The MSP ID of an identity of the consortium (ValidationError if unknown)."""
    org, _ = parse_identity(identity, "identity")
    return org.msp_id


def symbolic_holders(identity: str) -> str:
    """A readable stand-in holder key for plans without enrolled identities."""
    return f"{msp_of(identity)}/<{identity}>"


def network_holders(settings: NetworkSettings) -> Holders:
    """Holder keys from the network's enrolled certificates (LedgerUnavailableError when
    the network has no identities yet)."""

    @cache
    def holder(identity: str) -> str:
        return holder_key(settings, identity, "identity")

    return holder
