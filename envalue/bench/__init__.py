"""Benchmarks behind `envalue bench NAME`.

Each bench is a module ``envalue.bench.<name>`` exposing

- ``HELP``: one line for ``envalue bench --help``;
- ``PARAMS``: a tuple of `BenchParam` (turned into ``--options``);
- ``run(**opts) -> dict``: the measurement as one JSON-ready object;
- ``print_table(result, console)``: the human-readable form.

To add one, write the module and add its name to `BENCHES`; the CLI builds the command.
Benchmarks measure, they never assert: tests only check they run and report their keys.
"""

from envalue.bench.base import BenchParam

__all__ = ["BENCHES", "BenchParam"]

BENCHES: tuple[str, ...] = ("ingest", "submit", "portal", "bundle", "bridge")
