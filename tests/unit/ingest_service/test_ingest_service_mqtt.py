"""MQTT end to end through a real Mosquitto broker (Debian package `mosquitto`)."""

from __future__ import annotations

import json
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import paho.mqtt.client as mqtt
import pytest
from click.testing import CliRunner
from ingest_service_broker import mosquitto
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from envalue.cli.simulate import command as simulate_command
from envalue.edge import DefectRates, DeviceKeys, simulate
from envalue.edge.send import mqtt_properties, publish_mqtt
from envalue.edge.signing import load_or_create_key
from envalue.ingest.store import IngestStore
from envalue.ingest_service import IngestService
from envalue.ingest_service.mqtt import MqttIngestor

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def broker() -> Iterator[int]:
    with mosquitto() as port:
        yield port


class Results:
    """A client subscribed to every ingest-result topic."""

    def __init__(self, port: int) -> None:
        self.answers: queue.Queue[tuple[str, dict[str, Any]]] = queue.Queue()
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-results",
                                  protocol=mqtt.MQTTv5)
        ready = threading.Event()
        self.client.on_subscribe = lambda *a: ready.set()
        self.client.on_message = lambda c, u, m: self.answers.put(
            (m.topic, json.loads(m.payload)))
        self.client.connect("127.0.0.1", port)
        self.client.loop_start()
        self.client.subscribe("envalue/+/ingest-result", qos=1)
        assert ready.wait(10)

    def next(self, timeout: float = 30) -> tuple[str, dict[str, Any]]:
        return self.answers.get(timeout=timeout)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


@pytest.fixture
def setup(broker: int, tmp_path: Path) -> Iterator[tuple[IngestStore, Path, Results, Any]]:
    keys = tmp_path / "keys"
    for device in ("boiler-old", "boiler-new"):
        load_or_create_key(keys, device)
    store = IngestStore(f"sqlite:///{tmp_path / 'ingest.db'}")
    service = IngestService(store, DeviceKeys.from_directory(keys))
    results = Results(broker)
    publisher = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-device",
                            protocol=mqtt.MQTTv5)
    publisher.connect("127.0.0.1", broker)
    publisher.loop_start()
    with MqttIngestor(service, port=broker, client_id="test-ingestor"):
        yield store, keys, results, publisher
    publisher.disconnect()
    publisher.loop_stop()
    results.close()


def test_signed_simulated_uploads_are_ingested(setup: Any) -> None:
    store, keys, results, publisher = setup
    sim = simulate("boiler", days=2, kind="cumulative", key_dir=keys,
                   rates=DefectRates.field_like(seed=8))
    for up in sim.uploads:
        publish_mqtt(publisher, up)
    answers = dict(results.next() for _ in sim.uploads)
    for up in sim.uploads:
        answer = answers[f"envalue/{up.device_id}/ingest-result"]
        assert answer["status"] == 201, answer
        assert answer["quality"] == up.report.expected_quality()
        assert answer["signature"] == "verified"
        assert {b["header_signature"] for b in answer["batches"]} == {"verified"}
        assert len(store.batch_ids(up.device_id)) == 2


def test_csv_with_user_property_content_type_and_bad_signature(setup: Any) -> None:
    store, keys, results, publisher = setup
    sim = simulate("boiler", days=1, fmt="wide", key_dir=keys, devices=["boiler-new"])
    up = sim.uploads[0]
    props = Properties(PacketTypes.PUBLISH)
    props.UserProperty = [("content-type", "text/csv"),
                          ("x-envalue-signature", up.signature or ""),
                          ("x-envalue-assume_tz", "Asia/Tokyo")]
    tampered = up.body.replace(b"2024/4/2 0:30,", b"2024/4/2 0:30,1")
    publisher.publish("envalue/boiler-new/readings", tampered, qos=1,
                      properties=props).wait_for_publish(10)
    topic, answer = results.next()
    assert topic == "envalue/boiler-new/ingest-result"
    assert answer["status"] == 401 and answer["rule"] == "signature_invalid"
    assert store.batch_ids("boiler-new") == []

    publisher.publish("envalue/boiler-new/readings", up.body, qos=1,
                      properties=props).wait_for_publish(10)
    _, answer = results.next()
    assert answer["status"] == 201, answer
    assert answer["format"] == "wide"
    assert answer["quality"]["accepted"] == 48 * 3


def test_response_topic_gets_the_answer(setup: Any, broker: int) -> None:
    store, keys, results, publisher = setup
    sim = simulate("ena", days=1, devices=["ena-fac-01"], fmt="json")
    up = sim.uploads[0]
    replies: queue.Queue[Any] = queue.Queue()
    ready = threading.Event()
    requester = mqtt.Client(CallbackAPIVersion.VERSION2, client_id="test-requester",
                            protocol=mqtt.MQTTv5)
    requester.on_subscribe = lambda *a: ready.set()
    requester.on_message = lambda c, u, m: replies.put(m)
    requester.connect("127.0.0.1", broker)
    requester.loop_start()
    try:
        requester.subscribe("replies/test", qos=1)
        assert ready.wait(10)
        props = mqtt_properties(up)
        props.ResponseTopic = "replies/test"
        props.CorrelationData = b"req-1"
        requester.publish("envalue/ena-fac-01/readings", up.body, qos=1,
                          properties=props).wait_for_publish(10)
        msg = replies.get(timeout=30)
        assert msg.properties.CorrelationData == b"req-1"
        answer = json.loads(msg.payload)
        assert answer["quality"]["accepted"] == 48 and answer["status"] == 201
    finally:
        requester.disconnect()
        requester.loop_stop()
    results.next()  # the same answer on the result topic


def test_simulate_command_publishes_over_mqtt(setup: Any, broker: int) -> None:
    store, keys, results, publisher = setup
    out = CliRunner().invoke(simulate_command, ["boiler", "--days", "1", "--kind",
                                    "cumulative", "--defects", "field", "--keys", str(keys),
                                    "--send-mqtt", f"127.0.0.1:{broker}", "--json"])
    assert out.exit_code == 0, out.output
    doc = json.loads(out.output)
    for entry in doc["uploads"]:
        assert entry["sent"]["status"] == 201
        assert entry["sent"]["quality"] == entry["expected_quality"]
        assert entry["sent"]["signature"] == "verified"

