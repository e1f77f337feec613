"""docs/model.md carries the tables generated from the code (parameters, policies, loop,
results), and every built-in policy declares each parameter's unit, range and source."""

from __future__ import annotations

from pathlib import Path

from channelsim.docs import (
    parameter_tables,
    policy_table,
    scenario_settings,
    status_quo_text,
    tide_table,
)
from channelsim.engine import Loop, all_results
from channelsim.engine.policy import BUILTIN_POLICIES, PolicyParam, policy_params, policy_type
from channelsim.fields import name_label
from channelsim.params import Params, default_params, list_parameters

MODEL_MD = Path(__file__).resolve().parent.parent / "docs" / "model.md"


def test_parameter_tables_show_the_values_runs_use() -> None:
    text = MODEL_MD.read_text(encoding="utf-8")
    assert parameter_tables() in text, "regenerate with: python -m channelsim.docs"
    for info in list_parameters(Params()):
        assert f"`{info.path}`" in text
    # the calibrated inflow, not the code's 120 a day
    inflow = default_params().coast.inflow_people_per_day
    assert inflow != Params().coast.inflow_people_per_day
    assert (
        f"| `coast.inflow_people_per_day` | people/day | {inflow:.4g} (calibrated; code 120)"
        in text
    )


def test_parameter_tables_show_what_shipped_scenarios_set(tmp_path: Path) -> None:
    """s12 U7: §3.7 gave the calibrated set's 2,418 people waiting, which no shipped scenario
    runs (history sets 20, status-quo-2025 1,500): the table says what each file sets and how
    many shipped scenarios run it, counting the scenarios based on a file that sets it."""
    settings = scenario_settings()
    waiting = settings["coast.initial_waiting_people"]
    assert "history.toml sets 20 (" in waiting and "status-quo-2025.toml sets 1500 (" in waiting
    text = MODEL_MD.read_text(encoding="utf-8")
    assert f"(calibrated; code 1500); {waiting} |" in text
    # the counts follow the files' bases: a file based on another runs that one's setting
    (tmp_path / "a.toml").write_text('name = "a"\n[params.coast]\nattrition_per_day = 0.01\n')
    (tmp_path / "b.toml").write_text('base = "a.toml"\nname = "b"\n')
    (tmp_path / "c.toml").write_text(
        'base = "b.toml"\nname = "c"\n[params.coast]\nattrition_per_day = 0.02\n'
    )
    assert scenario_settings(tmp_path) == {
        "coast.attrition_per_day": "shipped scenarios: a.toml sets 0.01 (2 of 3), "
        "c.toml sets 0.02 (1 of 3)"
    }


def test_every_loop_stage_lever_and_result_is_documented() -> None:
    text = MODEL_MD.read_text(encoding="utf-8")
    for row in Loop().to_rows():
        assert f"| {row['stage']} |" in text, row["stage"]
        for lever in row["levers"]:
            assert f"`{lever}`" in text, lever
    assert all_results().markdown_table() in text, "regenerate with: python -m channelsim.docs"


def test_the_overview_gives_what_the_defaults_give() -> None:
    """§1.1's status-quo figures are those of runs with the shipped defaults (they had been
    left from an older parameter set: 17,800 prevented where runs give about 24,000)."""
    text = MODEL_MD.read_text(encoding="utf-8")
    assert status_quo_text() in text, "regenerate with: python -m channelsim.docs"


def test_the_tide_tables_show_the_packaged_stream() -> None:
    text = MODEL_MD.read_text(encoding="utf-8")
    assert tide_table() in text, "regenerate with: python -m channelsim.docs"


def test_every_policy_table_shows_the_declarations() -> None:
    """§3.6's tables are the classes' declarations (unit, default, allowed, plausible range,
    source or assumption, meaning): a declaration changed without regenerating fails."""
    text = MODEL_MD.read_text(encoding="utf-8")
    for kind in BUILTIN_POLICIES:
        table = policy_table(kind)
        assert table in text, f"{kind}: regenerate with: python -m channelsim.docs"
        assert table.startswith("| parameter | unit | default | allowed | plausible range |")
    # the doctrine's assumption reads as one, with its unit and the range to explore
    assert "| `hours_on_station` | h | 12 | 0–24 | 6–20 | assumption | " in policy_table(
        "maritime_doctrine"
    )


def test_the_sections_run_in_order() -> None:
    text = MODEL_MD.read_text(encoding="utf-8")
    heads = [text.index(f"### 3.{k} ") for k in range(5, 10)]
    assert heads == sorted(heads)


def _builtin_params() -> list[tuple[str, PolicyParam]]:
    return [
        (kind, param)
        for kind in BUILTIN_POLICIES
        for param in policy_params(policy_type(kind))  # type: ignore[arg-type]
    ]


def test_every_builtin_policy_parameter_is_declared() -> None:
    """Each field of every built-in policy declares a unit, a plausible range and a source
    or "assumption"; a unit its name carries (``_gbp``, ``_kn``, ``_h``) is the declared
    one; every cost has an upper bound."""
    found = _builtin_params()
    assert len(found) > 60
    for kind, param in found:
        where = f"{kind}.{param.name}"
        assert param.declared and param.unit is not None, where
        assert param.plausible, where
        assert param.meaning.endswith("."), where
        named = name_label(param.name)[1]
        assert not named or param.unit == named or param.unit.startswith(named + " "), where
        if "gbp" in param.name.split("_") or "eur" in param.name.split("_"):
            assert param.allowed.count("–") == 1 or ", to " in param.allowed, where
            assert "any" not in param.allowed, where
    # a field without a declaration (a third-party policy's) is reported as such
    from pydantic import Field

    from channelsim.engine.policy import Policy

    class Bare(Policy):
        share: float = Field(default=0.5, ge=0, le=1)

    [bare] = policy_params(Bare)
    assert not bare.declared and bare.unit is None and bare.allowed == "0–1"


def test_drawn_assumptions_are_the_declared_ranges() -> None:
    """What uncertainty analysis draws (each class's ``assumptions``) is what the fields
    declare ``drawn``, over their plausible range, as before the declarations."""
    expected = {
        "maritime_doctrine": {
            # s12 U12: the at-sea search rate, down to the one observed in the waterways
            "search_efficiency": (0.045, 1.0),
            "compliance_probability": (0.1, 0.6),
            "immobilise_success_probability": (0.3, 0.9),
            "capsize_probability_per_intervention": (0.001, 0.03),
        },
        # s12 U2: what turns beach patrols' budget, taxi-boat teams and network disruption
        # into an effect is assumed too, and drawn
        # s13: beach patrols buy officers at what the deals paid per officer added (the
        # range across the 2022, 2023 and 2026 deals); officers act through history's curve
        "beach_patrols": {"cost_gbp_per_officer_year": (180_000.0, 630_000.0)},
        "taxi_boat_interdiction": {"effort_scale_teams": (2.0, 15.0)},
        "network_disruption": {
            "seizure_share_per_week": (0.0, 0.3),
            "supply_reduction": (0.0, 0.5),
        },
        "one_in_one_out": {"retry_probability": (0.0, 0.5), "deterrence_elasticity": (0.0, 0.5)},
        "third_country_removal": {"deterrence_elasticity": (0.0, 1.0)},
        "echr_exit": {"deterrence_elasticity": (0.0, 1.0)},
    }
    for kind in BUILTIN_POLICIES:
        cls = policy_type(kind)
        assert cls is not None
        assert list(cls.assumptions.items()) == list(expected.get(kind, {}).items()), kind
        plausible = {p.name: p.plausible for p in policy_params(cls)}
        for option, (low, high) in cls.assumptions.items():
            assert plausible[option] == f"{low:,g}–{high:,g}", (kind, option)


def test_the_docs_quote_the_blind_tests_prevented_from_the_record() -> None:
    """s13 U1: validation.md quoted 10,164 against 4,148 (2.45×), a 100-draw example's, for
    the blind test's people stopped on the beach; the record is the shipped validation file
    (200 draws, seed 1), and the docs quote its median and ratio."""
    import json

    record = (
        Path(__file__).resolve().parent.parent
        / "calibration"
        / ("blind-history-2025-12-31/validation-2026-jan-may.json")
    )
    prevented = json.loads(record.read_text(encoding="utf-8"))["prevented_people"]
    median, observed = prevented["median"], prevented["observed"]
    quoted = f"{median:,.0f} against {observed:,.0f}"
    ratio = f"{median / observed:.2f}"
    validation = (MODEL_MD.parent / "validation.md").read_text(encoding="utf-8")
    assert validation.count(quoted) == 2 and f"{ratio}×" in validation
    assert f"{ratio} times" in MODEL_MD.read_text(encoding="utf-8")
    for text in (validation, MODEL_MD.read_text(encoding="utf-8")):
        assert "10,164" not in text and "2.45" not in text
