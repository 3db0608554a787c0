"""`envalue simulate --store-db` stores through the ingestion service, finding exactly the
defects the simulator injected (counters included)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from envalue.cli import main
from envalue.ingest.store import IngestStore

pytestmark = pytest.mark.unit


def test_simulated_counters_are_stored_with_the_expected_quality(tmp_path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = CliRunner().invoke(main, [
        "simulate", "boiler", "--days", "2", "--kind", "cumulative", "--defects", "field",
        "--store-db", url, "--json"])
    assert result.exit_code == 0, result.output
    uploads = json.loads(result.output)["uploads"]
    for upload in uploads:
        assert upload["sent"]["status"] == "stored"
        assert upload["sent"]["quality"] == upload["expected_quality"]
    assert len(IngestStore(url).batch_ids()) == sum(u["sent"]["batches"] for u in uploads)
