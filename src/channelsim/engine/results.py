"""What a run produces: daily table, boat log, cost ledger, totals; written atomically.

``SimResult`` holds only DataFrames and plain data, so it pickles small (ensembles on Dask
send it back from workers).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from channelsim.outputs import OutputTarget, write_output_folder

#: Columns of the daily table that the engine counts, in order.
DAILY_COLUMNS = (
    "crossing_window",
    "inflow_people",
    "attempted_people",
    "attempted_boats",
    "prevented_people",
    "prevented_events",
    "launched_people",
    "launched_boats",
    "taxi_boats",
    "boats_at_sea",
    "arrived_people",
    "arrived_boats",
    "uncontrolled_landings",
    "rescued_fr_people",
    "returned_at_sea_people",
    "dead_crush_beach_people",
    "dead_drowning_fr_people",
    "dead_drowning_uk_people",
    "dead_hypothermia_fr_people",
    "dead_hypothermia_uk_people",
    "dead_or_missing_people",
    "intercepted_boats",
    "returned_from_uk_people",
    "removed_people",
    "waiting_people",
    "boat_stock",
)

#: Daily columns that are levels (states), not flows: they are not summed into the totals.
STATE_COLUMNS = ("crossing_window", "boats_at_sea", "waiting_people", "boat_stock")

#: Columns summed into the totals, in the order they are reported.
TOTAL_COLUMNS = tuple(c for c in DAILY_COLUMNS if c not in STATE_COLUMNS)

#: Columns of the by-year and by-month summaries (beside the period label).
PERIOD_COLUMNS = (
    "arrived_people",
    "arrived_boats",
    "days_with_arrivals",
    "prevented_people",
    "prevented_events",
    "dead_or_missing_people",
    "launched_boats",
    "attempted_people",
)


@dataclass
class SimResult:
    """One run's outputs and the configuration that produced them."""

    scenario: dict[str, Any]
    seed: int
    code_version: str
    daily: pd.DataFrame
    boats: pd.DataFrame
    costs: pd.DataFrame
    totals: dict[str, int | float] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return str(self.scenario.get("name", ""))

    def _by(self, key: pd.Series, label: str) -> pd.DataFrame:
        daily = self.daily.assign(days_with_arrivals=(self.daily["arrived_people"] > 0).astype(int))
        grouped = daily.groupby(key.to_numpy(), sort=True)[list(PERIOD_COLUMNS)].sum()
        grouped.index.name = label
        return grouped.reset_index()

    def by_year(self) -> pd.DataFrame:
        """Yearly sums of the headline series (``days_with_arrivals`` counts days)."""
        return self._by(pd.to_datetime(self.daily["date"]).dt.year, "year")

    def by_month(self) -> pd.DataFrame:
        """Monthly sums, ``month`` as ``YYYY-MM``."""
        return self._by(pd.to_datetime(self.daily["date"]).dt.strftime("%Y-%m"), "month")

    def to_json_dict(self) -> dict[str, Any]:
        """The run summary printed by ``channelsim run --format json``."""
        return {
            "scenario": self.name,
            "seed": self.seed,
            "code_version": self.code_version,
            "start": self.scenario.get("start"),
            "end": self.scenario.get("end"),
            "totals": dict(self.totals),
            "by_year": _records(self.by_year()),
            "by_month": _records(self.by_month()),
        }

    def write(self, out_dir: str | Path | OutputTarget) -> Path:
        """Write Parquet tables, the resolved scenario, seed and code version, atomically.

        Everything goes to a temporary directory beside ``out_dir`` that is renamed into
        place at the end, so a reader never sees a half-written result; ``out_dir`` must be
        new, empty or (checked with ``force``) a folder channelsim wrote
        (``channelsim.outputs``).
        """

        def write(tmp: Path) -> None:
            self.daily.to_parquet(tmp / "daily.parquet", index=False)
            self.boats.to_parquet(tmp / "boats.parquet", index=False)
            self.costs.to_parquet(tmp / "costs.parquet", index=False)
            _write_json(tmp / "summary.json", self.to_json_dict())
            _write_json(tmp / "scenario.json", self.scenario)
            _write_json(
                tmp / "meta.json",
                {"seed": self.seed, "code_version": self.code_version, "scenario": self.name},
            )

        return write_output_folder(out_dir, write, kind="run")


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return [
        {k: (v.item() if hasattr(v, "item") else v) for k, v in row.items()}
        for row in frame.to_dict(orient="records")
    ]


def _write_json(path: Path, payload: Any) -> None:
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False, default=str) + "\n")
