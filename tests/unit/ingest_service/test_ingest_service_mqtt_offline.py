"""The MQTT front end's message handling, without a broker."""

from __future__ import annotations

import pytest

from envalue.ingest_service import IngestService
from envalue.ingest_service.mqtt import MqttIngestor, parse_topic

pytestmark = pytest.mark.unit


def test_topic_names_the_device() -> None:
    assert parse_topic("envalue/ena-nas/readings") == "ena-nas"
    assert parse_topic("envalue/ena-nas/other") is None
    assert parse_topic("x/ena-nas/readings") is None


def test_handle_without_broker_maps_problems() -> None:
    ingestor = MqttIngestor(IngestService(None), client_id="offline")
    answer = ingestor.handle("envalue/x+y/readings", b"[]")
    assert answer["status"] == 400 and answer["rule"] == "invalid_identifier"
    answer = ingestor.handle("envalue/dev-1/readings", b"timestamp,quantity,value,unit\n"
                             b"2024-04-01T00:30:00+09:00,heat,1,GJ\n")
    assert answer["status"] == 200 and answer["stored"] is False  # no store: dry run
