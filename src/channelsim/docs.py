"""The tables of docs/model.md that are generated from the code.

``python -m channelsim.docs`` rewrites, in place, every block between
``<!-- generated: NAME -->`` and ``<!-- end generated: NAME -->`` in docs/model.md:
``status-quo`` (what the shipped defaults give for 2025 beside the official figures),
``loop`` (the stages of a day, their levers and results), ``results`` (every result the
stages and the built-in policies declare), ``parameters`` (every parameter, with the
values runs use), ``tide`` (the tidal stream's parameters and the anchors of its
amplitude field, as the packaged world has them) and ``policy-TYPE`` for each built-in
policy type (its parameters as :func:`channelsim.engine.policy.policy_param` declares them).
A test fails when the file and the code disagree.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic_core import PydanticUndefined

from channelsim.engine.policy import BUILTIN_POLICIES


def loop_table() -> str:
    """The day's stages in order, with their levers and results."""
    from channelsim.engine import Loop

    lines = [
        "| # | stage | what happens | levers (moved by policies' effects) | results |",
        "|---|---|---|---|---|",
    ]
    for row in Loop().to_rows():
        levers = ", ".join(f"`{lever}`" for lever in row["levers"]) or "–"
        results = ", ".join(f"`{name}`" for name in row["results"]) or "–"
        lines.append(
            f"| {row['position'] + 1} | {row['stage']} | {row['description']} | {levers} | "
            f"{results} |"
        )
    return "\n".join(lines) + "\n"


def results_table() -> str:
    """Every declared result: the engine's stages', then the built-in policies'."""
    from channelsim.engine import all_results

    return all_results().markdown_table()


def parameter_tables() -> str:
    """Every parameter with the value runs use (``default_params()``), the code's value
    where the calibrated set differs from it, and what shipped scenarios set instead
    (:func:`scenario_settings`: a run of history starts with 20 people waiting, not the
    calibrated set's 2,418)."""
    from channelsim.params import Params, default_params, markdown_table

    return markdown_table(default_params(), Params(), scenario_settings())


def scenario_settings(folder: Path | None = None) -> dict[str, str]:
    """By parameter path, the shipped scenarios (``scenarios/*.toml``) that set it in their
    own ``[params]`` and how many shipped scenarios run that value (the file itself and those
    based on it that do not set it again): ``"shipped scenarios: history.toml sets 20 (5 of
    17), status-quo-2025.toml sets 1500 (12 of 17)"``."""
    import tomllib

    from channelsim.params import _number_text

    folder = folder if folder is not None else MODEL_MD.parents[1] / "scenarios"
    files = {
        path.name: tomllib.loads(path.read_text(encoding="utf-8"))
        for path in sorted(folder.glob("*.toml"))
    }
    own = {name: dict(_flat_params(data.get("params", {}))) for name, data in files.items()}
    runs: dict[tuple[str, str], int] = {}
    for name in files:
        chain, seen = [name], {name}
        while (base := files[chain[-1]].get("base")) in files and base not in seen:
            chain.append(base)
            seen.add(base)
        for key in {k for f in chain for k in own[f]}:
            origin = next(f for f in chain if key in own[f])
            runs[key, origin] = runs.get((key, origin), 0) + 1
    said: dict[str, list[str]] = {}
    for (key, origin), count in sorted(runs.items()):
        value = _number_text(own[origin][key])
        said.setdefault(key, []).append(f"{origin} sets {value} ({count} of {len(files)})")
    return {key: "shipped scenarios: " + ", ".join(t) for key, t in said.items()}


def _flat_params(table: dict[str, Any], prefix: str = "") -> list[tuple[str, Any]]:
    """A ``[params]`` table as ``(group.name, value)`` pairs."""
    pairs: list[tuple[str, Any]] = []
    for key, value in table.items():
        if isinstance(value, dict):
            pairs += _flat_params(value, f"{prefix}{key}.")
        else:
            pairs.append((f"{prefix}{key}", value))
    return pairs


def tide_table() -> str:
    """The tidal stream of the packaged world: its anchors and its other parameters."""
    from channelsim.world.tide import KNOT_M_S, TidalStream

    tide = TidalStream()
    lines = [
        "| anchor | position | spring speed (kn) | range (kn) | source |",
        "|---|---|---|---|---|",
    ]
    for a in tide.anchors:
        lines.append(
            f"| {a.name} | {a.lat:.3f}° N, {a.lon:.3f}° E | {a.spring_speed_kn:g} | "
            f"{a.low_kn:g}–{a.high_kn:g} | {a.source} |"
        )
    ratio = tide.neap_ratio
    lines += [
        "",
        "| name | unit | default | range | source |",
        "|---|---|---|---|---|",
        f"| `neap_speed_kn` (at the first anchor; sets the neap/spring ratio {ratio:.3f} "
        f"everywhere) | kn | {tide.neap_speed_kn:g} | 1.0–1.6 (ratio 0.45–0.65) | "
        "facts.md (UKHO, off South Foreland); the ratio's uniformity is an assumption |",
        f"| `idw_power` (inverse-distance weights of the anchors) | — | {tide.idw_power:g} | "
        "1–3 | assumption (Shepard's common choice) |",
        f"| `flood_towards_deg` | ° | {tide.flood_towards_deg:g} | 40–50 | "
        "assumption (axis of the strait, uniform) |",
        f"| `reference_hours` | h since 2018-01-01 | {tide.reference_hours:g} | ±2 h, ±1 day | "
        "assumption (see Tidal stream) |",
        "| M2, S2 periods | h | 12.4206, 12.00 | — | astronomical constants |",
        f"| packing quantum of the amplitude | m/s | 0.001 ({0.001 / KNOT_M_S:.4f} kn) | — | "
        "numerical (16 bits of the world's packed cell) |",
    ]
    return "\n".join(lines) + "\n"


def policy_table(policy_type: str) -> str:
    """The parameters of a policy type (not its window ``start``/``end``): unit, default,
    allowed values, plausible range, source (or assumption, with what it rests on) and
    meaning, as the class declares them."""
    from channelsim.engine.policy import policy_params
    from channelsim.engine.policy import policy_type as lookup

    cls = lookup(policy_type)
    assert cls is not None, policy_type
    lines = [
        "| parameter | unit | default | allowed | plausible range | source | meaning |",
        "|---|---|---|---|---|---|---|",
    ]
    for p in policy_params(cls):
        lines.append(
            f"| `{p.name}` | {p.unit or '–'} | {_default_text(p.default)} | {p.allowed} | "
            f"{p.plausible or '–'} | {p.source_text} | {p.meaning} |"
        )
    return "\n".join(lines) + "\n"


def _default_text(value: Any) -> str:
    """A default as a reader writes it in a scenario file."""
    if value is PydanticUndefined:
        return "– (required)"
    if value is None:
        return "–"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return f'`"{value}"`'
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return ", ".join(_default_text(v) for v in value)
    if isinstance(value, float) and not value.is_integer():
        return f"{value:.4g}"
    return f"{value:,.0f}" if isinstance(value, int | float) else str(value)


STATUS_QUO_SEEDS = (1, 2, 3)
"""The seeds of the status-quo figures of §1.1 (those ``tests/test_engine_validation.py`` runs)."""


def status_quo_text() -> str:
    """What the shipped defaults give for 2025 (``scenarios/status-quo-2025.toml``, the mean
    of :data:`STATUS_QUO_SEEDS`) beside the official figures, as ratios: the first numbers
    an expert reads are the ones runs give (they had been left from an older parameter set,
    in the direction that flattered the model)."""
    import numpy as np

    from channelsim.engine import Sim, load_scenario
    from channelsim.engine.reference import OFFICIAL_2025

    scenario = load_scenario(MODEL_MD.parents[1] / "scenarios" / "status-quo-2025.toml")
    runs = [Sim(scenario, seed=seed).run() for seed in STATUS_QUO_SEEDS]

    def mean(name: str) -> float:
        return float(np.mean([run.totals[name] for run in runs]))

    def hours() -> float:
        crossed = [run.boats.loc[run.boats["fate"].isin(["arrived", "landed_uk"])] for run in runs]
        return float(np.median(np.concatenate([b["time_at_sea_h"].to_numpy() for b in crossed])))

    def vs(name: str) -> str:
        return f"{mean(name) / OFFICIAL_2025[name]:.2f}×"

    seeds = f"{STATUS_QUO_SEEDS[0]}–{STATUS_QUO_SEEDS[-1]}"
    return (
        f"With the default (calibrated) parameters, the mean of seeds {seeds} "
        f"(`channelsim run status-quo-2025 --seed S`) is {mean('arrived_people'):,.0f} people "
        f"arrived ({vs('arrived_people')} the official figure) in {mean('arrived_boats'):,.0f} "
        f"boats ({vs('arrived_boats')}), {mean('people_per_boat'):.1f} per boat, on "
        f"{mean('days_with_arrivals'):.0f} days with arrivals ({vs('days_with_arrivals')}: the "
        f"year is too flat); {mean('prevented_people'):,.0f} people prevented "
        f"({vs('prevented_people')}) in {mean('prevented_events'):,.0f} events "
        f"({vs('prevented_events')}); {mean('dead_french_zone_people'):.0f} dead or missing in "
        f"the French zone (PREMAR 2025: 25 dead + 2 missing) and "
        f"{mean('dead_or_missing_people'):.0f} in all (deaths come in rare large events, so "
        f"three runs say little: compare an ensemble's median and interval); "
        f"{mean('launched_boats'):,.0f} boats launched (PREMAR: 795); and crossings of "
        f"{hours():.1f} h median (arrival = Border Force pick-up or landing).\n"
    )


SECTIONS: dict[str, Callable[[], str]] = {
    "status-quo": status_quo_text,
    "loop": loop_table,
    "results": results_table,
    "parameters": parameter_tables,
    "tide": tide_table,
    **{f"policy-{kind}": functools.partial(policy_table, kind) for kind in BUILTIN_POLICIES},
}

MODEL_MD = Path(__file__).resolve().parents[2] / "docs" / "model.md"


def render(text: str) -> str:
    """``text`` with every generated block replaced by its current content."""
    for name, make in SECTIONS.items():
        pattern = re.compile(
            rf"(<!-- generated: {name} -->\n)(.*?)(<!-- end generated: {name} -->)", re.S
        )
        if not pattern.search(text):
            raise ValueError(f"docs/model.md has no block for {name!r}")
        block = pattern.search(text)
        assert block is not None
        text = text[: block.start(2)] + "\n" + make() + "\n" + text[block.end(2) :]
    return text


def main() -> None:
    path = Path(sys.argv[1]) if len(sys.argv) > 1 else MODEL_MD
    path.write_text(render(path.read_text(encoding="utf-8")), encoding="utf-8")


if __name__ == "__main__":
    main()
