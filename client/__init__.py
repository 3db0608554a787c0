"""envalue's Python client for Hyperledger Fabric: Gateway, events, identities, Fabric CA.

Shaped like the official fabric-gateway clients::

    channel = create_channel("peer0.org1:7051", tls_root_cert=pem)
    with connect(identity, client=channel, signer=signer) as gateway:
        contract = gateway.get_network("mychannel").get_contract("envalue")
        contract.submit_transaction("Retire", "batch-1", "10")

``connect_async`` gives the same objects over ``grpc.aio`` with coroutine methods.
"""

from ._context import CallTimeouts
from ._grpc import DEFAULT_KEEPALIVE_OPTIONS, create_aio_channel, create_channel
from .ca import (
    AttributeRequest,
    CAClient,
    CAError,
    CAInfo,
    Enrollment,
    RevokedCertificate,
    certificate_attributes,
)
from .checkpointers import Checkpoint, Checkpointer, FileCheckpointer, InMemoryCheckpointer
from .commit import AsyncCommit, AsyncSubmittedTransaction, Commit, Status, SubmittedTransaction
from .contract import AsyncContract, Contract
from .errors import (
    CommitError,
    CommitStatusError,
    EndorseError,
    ErrorDetail,
    GatewayError,
    SubmitError,
    TransactionError,
)
from .events import (
    AsyncBlockEventsRequest,
    AsyncChaincodeEventsRequest,
    AsyncEventStream,
    BlockEventsRequest,
    ChaincodeEvent,
    ChaincodeEventsRequest,
    EventStream,
)
from .gateway import AsyncGateway, Gateway, connect, connect_async
from .identity import Identity, X509Identity, load_msp_identity, load_msp_signer
from .network import AsyncNetwork, Network
from .proposal import AsyncProposal, Proposal
from .retry import RetryPolicy
from .signers import EcdsaSigner, Signer, new_private_key_signer, sha256_digest
from .transaction import AsyncTransaction, Transaction

__all__ = [
    "DEFAULT_KEEPALIVE_OPTIONS",
    "AsyncBlockEventsRequest",
    "AsyncChaincodeEventsRequest",
    "AsyncCommit",
    "AsyncContract",
    "AsyncEventStream",
    "AsyncGateway",
    "AsyncNetwork",
    "AsyncProposal",
    "AsyncSubmittedTransaction",
    "AsyncTransaction",
    "AttributeRequest",
    "BlockEventsRequest",
    "CAClient",
    "CAError",
    "CAInfo",
    "CallTimeouts",
    "ChaincodeEvent",
    "ChaincodeEventsRequest",
    "Checkpoint",
    "Checkpointer",
    "Commit",
    "CommitError",
    "CommitStatusError",
    "Contract",
    "EcdsaSigner",
    "EndorseError",
    "Enrollment",
    "ErrorDetail",
    "EventStream",
    "FileCheckpointer",
    "Gateway",
    "GatewayError",
    "Identity",
    "InMemoryCheckpointer",
    "Network",
    "Proposal",
    "RetryPolicy",
    "RevokedCertificate",
    "Signer",
    "Status",
    "SubmitError",
    "SubmittedTransaction",
    "Transaction",
    "TransactionError",
    "X509Identity",
    "certificate_attributes",
    "connect",
    "connect_async",
    "create_aio_channel",
    "create_channel",
    "load_msp_identity",
    "load_msp_signer",
    "new_private_key_signer",
    "sha256_digest",
]
