"""`envalue serve-ingest`: the HTTP ingestion endpoint (Flask dev server) and, with
--mqtt, the MQTT subscriber, storing into the off-chain database.

For development and demos; production mounts the blueprint in the portal's WSGI app.
Batches are stored off-chain only: anchoring needs the Fabric network.
"""

from __future__ import annotations

import logging
from pathlib import Path

import click

from envalue.cli.ingest import default_db_url

__all__ = ["command"]


@click.command("serve-ingest")
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", type=click.IntRange(0, 65535), default=8085, show_default=True)
@click.option("--db", "db_url", metavar="URL",
              help="Off-chain database (default sqlite:///<checkout>/var/envalue.db).")
@click.option("--keys", "key_dir", type=click.Path(file_okay=False, path_type=Path),
              help="Directory of <device>.pub.pem device keys.")
@click.option("--require-signature", is_flag=True,
              help="Refuse devices without a registered key.")
@click.option("--mqtt", "mqtt_target", metavar="HOST:PORT",
              help="Also subscribe to envalue/+/readings on this broker.")
@click.option("--max-body-mb", type=click.FloatRange(0.001, 1024), default=16.0,
              show_default=True)
@click.option("--assume-tz", metavar="ZONE", help="Zone of wide-CSV timestamps without offset.")
@click.option("--counter-capacity", metavar="N", help="Default counter capacity.")
def command(host: str, port: int, db_url: str | None, key_dir: Path | None,
            require_signature: bool, mqtt_target: str | None, max_body_mb: float,
            assume_tz: str | None, counter_capacity: str | None) -> None:
    """Serve POST /api/v1/ingest (and MQTT ingestion) until interrupted."""
    from decimal import Decimal, InvalidOperation

    from envalue.edge.signing import DeviceKeys
    from envalue.ingest.store import IngestStore
    from envalue.ingest_service.app import create_app
    from envalue.ingest_service.service import ANCHOR_NOTE, IngestService, ServiceConfig

    url = db_url or default_db_url()
    if url.startswith("sqlite:///") and url != "sqlite:///:memory:":
        Path(url.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    try:
        capacity = Decimal(counter_capacity) if counter_capacity else None
    except InvalidOperation:
        raise click.BadParameter(str(counter_capacity),
                                 param_hint="--counter-capacity") from None
    keys = DeviceKeys.from_directory(key_dir) if key_dir and key_dir.exists() else DeviceKeys()
    service = IngestService(
        IngestStore(url), keys,
        ServiceConfig(max_body_bytes=int(max_body_mb * 1024 * 1024),
                      require_signature=require_signature, naive_tz=assume_tz,
                      counter_capacity=capacity),
    )
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    ingestor = None
    if mqtt_target:
        from envalue.ingest_service.mqtt import MqttIngestor

        mhost, _, mport = mqtt_target.rpartition(":")
        if not mhost or not mport.isdigit():
            raise click.BadParameter("expected HOST:PORT", param_hint="--mqtt")
        ingestor = MqttIngestor(service, host=mhost, port=int(mport))
        try:
            ingestor.start()
        except (OSError, TimeoutError) as exc:
            raise click.ClickException(f"MQTT broker {mqtt_target}: {exc}") from None
        click.echo(f"MQTT: subscribed to envalue/+/readings on {mqtt_target}", err=True)
    click.echo(f"HTTP: POST http://{host}:{port}/api/v1/ingest?device=ID "
               f"({len(keys)} device keys; db {url})", err=True)
    click.echo(f"note: {ANCHOR_NOTE}", err=True)
    try:
        create_app(service).run(host=host, port=port, threaded=True, use_reloader=False)
    finally:
        if ingestor is not None:
            ingestor.stop()
