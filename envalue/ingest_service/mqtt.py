"""MQTT front end: subscribe to ``envalue/+/readings`` and feed the same `IngestService`.

Payload: the upload bytes (a JSON list of readings, or CSV). Its type comes from the MQTT
v5 Content-Type property or the user property ``content-type`` (else it is detected);
the signature from the user property ``x-envalue-signature``, batch-header signatures
from ``x-envalue-batch-signatures`` and ingest options from ``x-envalue-<option>``
(the HTTP query options); the device from the topic.
Each message is answered with the report (``status`` 201 when new batches were stored,
200 otherwise, as over HTTP) or the problem object (with its ``status``) on
``envalue/<device>/ingest-result``, and on the message's Response Topic with its
Correlation Data when the sender set one (MQTT v5 request/response).

Messages are handled one at a time on a worker thread, so a long ingest never blocks
the network loop (keep-alives) and writes to the store stay serial.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
from collections.abc import Callable
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from envalue.ingest_service.http import OPTION_NAMES
from envalue.ingest_service.problems import Problem
from envalue.ingest_service.service import IngestService

__all__ = ["MqttIngestor", "parse_topic"]

log = logging.getLogger(__name__)


def parse_topic(topic: str, prefix: str = "envalue") -> str | None:
    """The device of ``<prefix>/<device>/readings``, else None."""
    parts = topic.split("/")
    if len(parts) == 3 and parts[0] == prefix and parts[2] == "readings" and parts[1]:
        return parts[1]
    return None


def _user_properties(props: Any) -> dict[str, str]:
    pairs = getattr(props, "UserProperty", None) or []
    return {str(k).casefold(): str(v) for k, v in pairs}


class MqttIngestor:
    """A subscriber that ingests every readings message it receives."""

    def __init__(self, service: IngestService, *, host: str = "127.0.0.1", port: int = 1883,
                 prefix: str = "envalue", client_id: str = "envalue-ingest", qos: int = 1,
                 on_result: Callable[[str, dict[str, Any]], None] | None = None) -> None:
        self.service, self.host, self.port = service, host, port
        self.prefix, self.qos, self.on_result = prefix, qos, on_result
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                                  protocol=mqtt.MQTTv5)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = self._on_subscribe
        self.client.on_message = self._on_message
        self._subscribed = threading.Event()
        self._queue: queue.Queue[mqtt.MQTTMessage | None] = queue.Queue()
        self._worker: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------
    def start(self, timeout: float = 10.0) -> None:
        """Connect, subscribe and wait until the broker confirmed the subscription."""
        self._worker = threading.Thread(target=self._work, name="envalue-mqtt-ingest",
                                        daemon=True)
        self._worker.start()
        self.client.connect(self.host, self.port, keepalive=60)
        self.client.loop_start()
        if not self._subscribed.wait(timeout):
            self.stop()
            raise TimeoutError(f"no subscription on MQTT broker {self.host}:{self.port} "
                               f"within {timeout:g}s")

    def stop(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()
        if self._worker is not None:
            self._queue.put(None)
            self._worker.join(timeout=30)
            self._worker = None

    def __enter__(self) -> MqttIngestor:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- callbacks -------------------------------------------------------------------
    def _on_connect(self, client: mqtt.Client, userdata: Any, flags: Any, reason: Any,
                    properties: Any) -> None:
        if getattr(reason, "is_failure", False):
            log.error("MQTT connect refused: %s", reason)
            return
        client.subscribe(f"{self.prefix}/+/readings", qos=self.qos)

    def _on_subscribe(self, client: mqtt.Client, userdata: Any, mid: int, reasons: Any,
                      properties: Any) -> None:
        if all(not getattr(r, "is_failure", False) for r in reasons):
            self._subscribed.set()

    def _on_message(self, client: mqtt.Client, userdata: Any, msg: mqtt.MQTTMessage) -> None:
        self._queue.put(msg)

    def _work(self) -> None:
        while (msg := self._queue.get()) is not None:
            try:
                self.process(msg.topic, msg.payload, getattr(msg, "properties", None))
            except Exception:  # a bad message must not stop the subscriber
                log.exception("MQTT message on %s failed", msg.topic)

    # --- handling --------------------------------------------------------------------
    def handle(self, topic: str, payload: bytes, properties: Any = None) -> dict[str, Any]:
        """The report (or problem object with `status`) for one message; no publishing."""
        device = parse_topic(topic, self.prefix)
        user = _user_properties(properties)
        ctype = getattr(properties, "ContentType", None) or user.get("content-type")
        try:
            report = self.service.handle(
                device=device, body=payload, content_type=ctype,
                signature=user.get("x-envalue-signature"), source=f"mqtt:{topic}",
                options={k.removeprefix("x-envalue-"): v for k, v in user.items()
                         if k.removeprefix("x-envalue-") in OPTION_NAMES},
                batch_signatures=user.get("x-envalue-batch-signatures"),
            )
            created = any(b["status"] == "stored" for b in report["batches"])
            return report | {"status": 201 if created else 200}
        except Problem as p:
            return p.to_dict()

    def process(self, topic: str, payload: bytes, properties: Any = None) -> dict[str, Any]:
        """Handle one message and publish the answer."""
        answer = self.handle(topic, payload, properties)
        device = parse_topic(topic, self.prefix) or "_invalid"
        body = json.dumps(answer, ensure_ascii=False).encode()
        if device != "_invalid" and "/" not in device:
            self.client.publish(f"{self.prefix}/{device}/ingest-result", body, qos=self.qos)
        response_topic = getattr(properties, "ResponseTopic", None)
        if response_topic:
            props = Properties(PacketTypes.PUBLISH)
            props.ContentType = "application/json"
            correlation = getattr(properties, "CorrelationData", None)
            if correlation:
                props.CorrelationData = correlation
            self.client.publish(response_topic, body, qos=self.qos, properties=props)
        if self.on_result is not None:
            self.on_result(topic, answer)
        return answer
