"""Simulated uploads stored in this process, through the service the endpoints use.

`envalue simulate --store-db` and the portal benchmark fill an off-chain store this way:
each upload goes through `IngestService.handle` with the options, signature and batch
signatures it would carry over HTTP, so nothing reaches the store by a second path.
"""

from __future__ import annotations

from typing import Any

from envalue.edge.batch_signing import BATCH_SIGNATURES_HEADER
from envalue.edge.simulation import Simulation
from envalue.ingest.store import IngestStore

from .problems import Problem
from .service import IngestService

__all__ = ["store_simulation", "upload_summary"]


def store_simulation(sim: Simulation, url: str) -> dict[str, dict[str, Any]]:
    """Ingest every upload of `sim` into the store at `url`; per device, what was stored.
    Raises the service's `Problem` for an upload it refuses (nothing of it is stored),
    with the device in its `extra`."""
    service = IngestService(IngestStore(url))
    results = {}
    for up in sim.uploads:
        options = {k: v for k, v in up.query().items() if k != "device"}
        try:
            body = service.handle(device=up.device_id, body=up.body,
                                  content_type=up.content_type, signature=up.signature,
                                  source=up.device_id, options=options,
                                  batch_signatures=up.headers().get(BATCH_SIGNATURES_HEADER))
        except Problem as exc:
            exc.extra.setdefault("device", up.device_id)
            raise
        results[up.device_id] = {"status": "stored"} | upload_summary(body)
    return results


def upload_summary(body: dict[str, Any]) -> dict[str, Any]:
    """Quality, signature and batch count of an answer, or the problem it reports."""
    if "quality" in body:
        return {"quality": body["quality"], "signature": body.get("signature"),
                "batches": len(body.get("batches", []))}
    return {"problem": {k: body.get(k) for k in ("rule", "field", "value", "detail")}}
