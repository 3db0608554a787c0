"""Sending simulated uploads to the ingestion front ends (HTTP POST, MQTT v5 publish).

MQTT: topic ``envalue/<device>/readings``; the content type travels as the MQTT v5
Content-Type property and as the user property ``content-type``; the signature as the
user property ``x-envalue-signature``. The ingestion service answers on
``envalue/<device>/ingest-result``.
"""

from __future__ import annotations

from typing import Any

import requests

from envalue.edge.simulation import SimulatedUpload

__all__ = ["READINGS_TOPIC", "RESULT_TOPIC", "mqtt_properties", "post_http", "publish_mqtt"]

READINGS_TOPIC = "envalue/{device}/readings"
RESULT_TOPIC = "envalue/{device}/ingest-result"


def post_http(base_url: str, upload: SimulatedUpload, *, timeout: float = 60.0,
              session: requests.Session | None = None) -> tuple[int, dict[str, Any]]:
    """POST the upload to ``<base_url>/api/v1/ingest?device=…``; (status, JSON body)."""
    http = session or requests
    resp = http.post(f"{base_url.rstrip('/')}/api/v1/ingest",
                     params=upload.query(), data=upload.body,
                     headers=upload.headers(), timeout=timeout)
    try:
        body = resp.json()
    except ValueError:
        body = {"detail": resp.text[:500]}
    return resp.status_code, body


def mqtt_properties(upload: SimulatedUpload) -> Any:
    """PUBLISH properties carrying content type and signature."""
    from paho.mqtt.packettypes import PacketTypes
    from paho.mqtt.properties import Properties

    props = Properties(PacketTypes.PUBLISH)
    props.ContentType = upload.content_type
    user = [("content-type", upload.content_type)]
    if upload.signature:
        user.append(("x-envalue-signature", upload.signature))
    if upload.batch_signatures:
        from envalue.edge.batch_signing import encode_batch_signatures

        user.append(("x-envalue-batch-signatures",
                     encode_batch_signatures(upload.batch_signatures)))
    user += [(f"x-envalue-{k}", v) for k, v in upload.query().items() if k != "device"]
    props.UserProperty = user
    return props


def publish_mqtt(client: Any, upload: SimulatedUpload, *, qos: int = 1,
                 timeout: float = 30.0) -> None:
    """Publish on a connected paho v5 client and wait until the broker has it."""
    info = client.publish(READINGS_TOPIC.format(device=upload.device_id), upload.body,
                          qos=qos, properties=mqtt_properties(upload))
    info.wait_for_publish(timeout)
    if not info.is_published():
        raise TimeoutError(f"MQTT publish of {upload.device_id} not acknowledged")
