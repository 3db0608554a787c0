"""Ingestion front ends: HTTP (Flask blueprint) and MQTT (paho subscriber) over one
`IngestService` that verifies device signatures and runs `envalue.ingest`."""

from envalue.ingest_service.problems import PROBLEM_CONTENT_TYPE, Problem
from envalue.ingest_service.service import ANCHOR_NOTE, IngestService, ServiceConfig

__all__ = ["ANCHOR_NOTE", "PROBLEM_CONTENT_TYPE", "IngestService", "Problem", "ServiceConfig"]
