"""A small stored dataset whose report figures are worked out by hand in the tests.

Period 2024-04-01..02 (JST) and its baseline 2023-04-01..02, four devices:
``site-grid`` (electricity_import), ``site-fac`` (electricity), ``site-pv``
(pv_generation, pv_export), ``boiler`` (fuel in L, heat in GJ), one reading per day and
quantity; one duplicate row (site-grid, 2024-04-01).
"""

from __future__ import annotations

from envalue.ingest.config import IngestConfig
from envalue.ingest.pipeline import ingest
from envalue.ingest.store import IngestStore

HEADER = "timestamp,device_id,quantity,value,unit,kind\n"
ROWS: dict[str, list[str]] = {
    "site-grid": ["2024-04-01T12:00:00+09:00,site-grid,electricity_import,150,kWh,interval",
                  "2024-04-01T12:00:00+09:00,site-grid,electricity_import,150,kWh,interval",
                  "2024-04-02T12:00:00+09:00,site-grid,electricity_import,200,kWh,interval",
                  "2023-04-01T12:00:00+09:00,site-grid,electricity_import,400,kWh,interval"],
    "site-fac": ["2024-04-01T12:00:00+09:00,site-fac,electricity,300,kWh,interval",
                 "2024-04-02T12:00:00+09:00,site-fac,electricity,250,kWh,interval",
                 "2023-04-01T12:00:00+09:00,site-fac,electricity,600,kWh,interval"],
    "site-pv": ["2024-04-01T12:00:00+09:00,site-pv,pv_generation,80,kWh,interval",
                "2024-04-01T12:00:00+09:00,site-pv,pv_export,10,kWh,interval",
                "2024-04-02T12:00:00+09:00,site-pv,pv_generation,120,kWh,interval"],
    "boiler": ["2024-04-01T12:00:00+09:00,boiler,fuel,1000,L,interval",
               "2024-04-01T12:00:00+09:00,boiler,heat,30,GJ,interval",
               "2024-04-02T12:00:00+09:00,boiler,fuel,500,L,interval",
               "2024-04-02T12:00:00+09:00,boiler,heat,15,GJ,interval",
               "2023-04-01T12:00:00+09:00,boiler,fuel,2000,L,interval",
               "2023-04-01T12:00:00+09:00,boiler,heat,50,GJ,interval"],
}

#: The query of the GHG report the hand-worked figures below belong to.
GHG_QUERY = {"start": "2024-04-01", "end": "2024-04-02", "fuel_type_fuel": "a_heavy_oil",
             "ef_grid": "0.000441", "ef_grid_source": "supplier FY2024 (test)",
             "organisation": "テスト市", "site": "Site A"}
# fuel 1.5 kL × 38.9 GJ/kL × 0.0193×44/12 t-CO2/GJ = 4.129235 t -> ceil 4,130 kg
SCOPE1_KG = 4130
# electricity_import 350 kWh × 0.000441 = 0.15435 t -> ceil 155 kg
SCOPE2_LOCATION_KG = 155
EMISSIONS_KG = 4285
# (350 − 100 certificates) × 0.000441 = 0.11025 t -> ceil 111 kg
SCOPE2_MARKET_KG_WITH_100 = 111
# baseline: 2 kL heavy oil = 5.505646… t -> 5,506 kg; 400 kWh -> 0.1764 t -> 177 kg
BASELINE_EMISSIONS_KG = 5683


def store_dataset(url: str) -> IngestStore:
    """Ingest every device's rows (day batches, Asia/Tokyo) into the store at `url`."""
    store = IngestStore(url)
    for device, rows in ROWS.items():
        for year in ("2023", "2024"):  # one upload per year: no year-long gap between them
            picked = [row for row in rows if row.startswith(year)]
            data = (HEADER + "\n".join(picked) + "\n").encode()
            if picked:
                store.add(ingest(data, IngestConfig(device_id=device),
                                 source=f"test:{device}:{year}"))
    return store
