"""CLI commands: ``calibrate`` (ABC-SMC against the official series) and ``validate`` (out of
sample, against data the calibration did not see)."""

from __future__ import annotations

import contextlib
import datetime as dt
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer

from channelsim.cli.output import OutputFormat, emit_rows, err_console, print_warning
from channelsim.cli.runs_cmd import (
    MAX_RUNS,
    OUT_FOLDER,
    at_least_one,
    checked_by,
    executor_option,
    force_option,
    output_path,
    read_posterior_option,
    scheduler_option,
    workers_option,
)
from channelsim.errors import InputError
from channelsim.outputs import output_folder, reserved

if TYPE_CHECKING:
    from channelsim.fields import Fields

#: Most ABC-SMC generations one calibration may ask for: 5 to 6 serve; each generation takes
#: at least 4 of --budget's simulations (at most ``MAX_RUNS``, as an ensemble's runs).
MAX_GENERATIONS = 100
#: Fewest runs validate takes (:func:`channelsim.experiments.validate.validate` refuses fewer).
MIN_VALIDATION_RUNS = 2
WEATHER_HELP = "stochastic (the fitted generator) or replay (the observed crossing days)."


def _seed(seed: int) -> int:
    from channelsim.scenario import check_seed

    return check_seed(seed)


def period_option(option: str, help: str) -> Any:
    """A required ``FROM:TO`` period option, checked as the command line is read."""
    return typer.Option(..., option, help=help, callback=checked_by(_period, option))


def _period(text: str, option: str) -> object:
    from channelsim.experiments.targets import parse_period  # pandas: when a period is given

    return parse_period(text, option)


def _calibrated_scenario(option: str) -> tuple[str | None, tuple[str, ...]]:
    """``--scenario``: the file to run and the free parameters that go with it."""
    from channelsim.engine import load_scenario
    from channelsim.experiments.calibrate import FREE_PARAMETERS, scenario_free_parameters

    if option == "none":
        return None, FREE_PARAMETERS
    if option == "history":
        from importlib import resources

        path = str(resources.files("channelsim").joinpath("scenarios", "history.toml"))
    else:
        from channelsim.scenario import scenario_argument

        path = str(scenario_argument(option))
        if not Path(path).is_file():
            raise InputError(
                None,
                "--scenario",
                f"expected history, none, a scenario file or a shipped scenario's name, "
                f"got {option!r}",
            )
    return path, scenario_free_parameters(load_scenario(path))


def _validation_scenario(option: str | None, posterior: Any) -> Any:
    """``validate --scenario``: a scenario file, 'history', 'none', or (not given) the one
    the posterior was calibrated on (history if its record names history.toml)."""
    from channelsim.engine import load_scenario

    if option is None:
        recorded = str(posterior.summary["calibration"].get("scenario", ""))
        option = "history" if recorded.startswith("history.toml") else "none"
    path, _ = _calibrated_scenario(option)
    return None if path is None else load_scenario(path)


def _check_validation_drivers(option: str | None, scenario: Any, posterior: Any) -> None:
    """The scenario validated holds the drivers the posterior calibrates: ``--scenario none``
    with a posterior of history failed after the progress bar had started ('posterior:
    drivers.coastal_inflow: no policy named ...; while running ensemble validate'; s11 trial
    F21)."""
    wanted = [p for p in posterior.parameters if p.startswith("drivers.")]
    names = {spec.name for spec in scenario.policies} if scenario is not None else set()
    missing = sorted({p.split(".")[1] for p in wanted} - names)
    if not missing:
        return
    shown = ", ".join(wanted[:2]) + (", ..." if len(wanted) > 2 else "")
    what = "the defaults without policies" if scenario is None else scenario.name
    raise InputError(
        None,
        f"--scenario {option}" if option else "--scenario",
        f"the posterior calibrates drivers ({shown}) of policies not in {what} "
        f"({', '.join(missing)}): give history or a scenario holding them",
    )


def _validated_text(scenario: Any, test: Any, posterior: Any) -> str | None:
    """What validate runs, when the scenario does not cover the test itself: a 2025 scenario
    over a 2026 test ran without a word (s11 trial F21)."""
    from channelsim.formatting import date_text

    if scenario is None:
        return None
    if scenario.start > test.start:
        raise InputError(
            scenario.source,
            "--scenario",
            f"expected a scenario starting on or before the test's first day "
            f"({date_text(test.start)}), got {scenario.name}, which starts on "
            f"{date_text(scenario.start)}",
        )
    if scenario.end >= test.end:
        return None
    return (
        f"validate runs {scenario.name} from {date_text(scenario.start)} to the test's last "
        f"day, {date_text(test.end)}, past its own end ({date_text(scenario.end)}), its "
        f"policies and drivers as known on {date_text(posterior.train.end)}"
    )


VALIDATION_COLUMNS = ("observed", "median", "low90", "high90", "inside90")


def range_text(low: float, high: float) -> str:
    """A reported range as ``low–high`` in whole numbers, one number when both are equal."""
    return f"{low:,.0f}" if round(low) == round(high) else f"{low:,.0f}–{high:,.0f}"


#: The PREMAR figures of validate's fit by year shown in its table (all are in its JSON).
YEAR_ROWS = ("dead_french_zone_people", "rescued_fr_people")


def _compared_row(figure: str, period: str, f: dict[str, Any]) -> dict[str, Any]:
    """One figure of a period against its interval: the figure's code name (the table shows
    its label and unit), the period in words, a reported range as ``low–high``."""
    row = {"figure": figure, "period": period, **{c: f.get(c) for c in VALIDATION_COLUMNS}}
    observed = row["observed"]
    if "sources_low" in f:  # no official series: the sources' published counts
        row["observed"] = range_text(f["sources_low"], f["sources_high"])
    elif isinstance(observed, list):
        row["observed"] = range_text(*observed)
    return row


def _compared_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Totals, months, then deaths and PREMAR's French rescues by year, against their
    intervals (:func:`_compared_groups`), one list (a CSV's rows)."""
    totals, months, years = _compared_groups(result)
    return totals + months + years


def _compared_groups(
    result: dict[str, Any],
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """The figures compared: the test period's totals, its months' people arrived, and the
    years' deaths and French rescues (PREMAR's counts).

    Deaths are counted by PREMAR's definition (the model's ``dead_french_zone_people``):
    ``deaths_by_year`` gives the whole years, the fit by year the same figure again (shown
    only for a year ``deaths_by_year`` leaves out: a year covered in part, with no count)."""
    from channelsim.formatting import month_label
    from channelsim.reports.headlines import VALIDATED

    first, last = (dt.date.fromisoformat(d) for d in str(result["test"]).split(":"))
    whole = _period_words(result["test"])
    totals = [_compared_row(name, whole, result[key]) for key, name in VALIDATED if key in result]
    months = [
        _compared_row("arrived_people", month_label(m["month"], first, last), m)
        for m in result["monthly"]
    ]
    deaths = result.get("deaths_by_year") or {}
    years = [_compared_row(DEATHS, year, f) for year, f in deaths.items()] + [
        _compared_row(r["measure"], str(r["year"]), r)
        for r in result.get("by_year", [])
        if r["measure"] in YEAR_ROWS and not (r["measure"] == DEATHS and str(r["year"]) in deaths)
    ]
    return totals, months, sorted(years, key=lambda r: (r["figure"] != DEATHS, r["period"]))


#: The figure of validate's deaths: PREMAR's definition, as the calibration counts them.
DEATHS = "dead_french_zone_people"


def _score_row(name: str, value: Any, forecast: str = "channelsim") -> dict[str, Any]:
    """One score's row: whose forecast, its value, and what it measures (its unit and label
    come from :data:`channelsim.fields.VALIDATION_FIELDS`)."""
    from channelsim.fields import VALIDATION_FIELDS

    field = VALIDATION_FIELDS.field(name)
    meaning = "" if field is None else field.description
    return {"figure": name, "forecast": forecast, "value": value, "meaning": meaning}


def _score_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """validate's one-number scores: the model's, then each forecast's skill on the months
    (the model's and the baselines'), each with its unit and meaning."""
    scores = [
        ("months_in_50", result["months_in_50"]),
        ("months_in_90", result["months_in_90"]),
        *result["monthly_error"].items(),
        *((k, v) for k, v in result["people_per_crossing_day_distance"].items() if v is not None),
    ]
    rows = [_score_row(name, value) for name, value in scores]
    for name, scored in result.get("skill", {}).get("forecasts", {}).items():
        label = str(scored.get("label") or name)
        if "unavailable" in scored:
            rows.append(_score_row("mase", None, label) | {"meaning": "too few training months"})
            continue
        for key in ("mase", "crps", "coverage50", "coverage90", "mae_ratio_to_seasonal_naive"):
            rows.append(_score_row(key, scored[key], label))
        rows.append(_score_row("total_error", scored["total"]["median_error"], label))
    return rows


def _validation_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Every row of validate's table and CSV: the figures compared, then the scores."""
    return _compared_rows(result) + _score_rows(result)


DATA_HELP = (
    "Publication file (ODS/XLSX/CSV); repeat for several editions. Default: the editions "
    "imported in the data store (channelsim data import / data download)."
)


def register(app: typer.Typer) -> None:
    """Add ``calibrate`` and ``validate`` to the app."""

    @app.command("calibrate")
    def calibrate_command(
        data: list[Path] | None = typer.Option(None, "--data", help=DATA_HELP),
        train: str = period_option("--train", "Training period FROM:TO (e.g. 2022:2024)."),
        budget: int | None = typer.Option(
            None,
            "--budget",
            callback=at_least_one("--budget", MAX_RUNS),
            help=f"Simulations in all (default 4000, at most {MAX_RUNS:,}).",
        ),
        generations: int | None = typer.Option(
            None,
            "--generations",
            callback=at_least_one("--generations", MAX_GENERATIONS),
            help=f"ABC-SMC generations (default 5, at most {MAX_GENERATIONS}).",
        ),
        out: Path | None = typer.Option(
            None,
            "--out",
            metavar="PATH",
            parser=output_path(*OUT_FOLDER),
            help="Posterior folder (default calibration/posterior-FROM-TO).",
        ),
        force: bool = force_option(),
        weather: str = typer.Option("stochastic", "--weather", help=WEATHER_HELP),
        workers: int | None = workers_option(),
        executor: str = executor_option(),
        scheduler: str | None = scheduler_option(),
        seed: int = typer.Option(0, "--seed", help="Seed of the proposals and the runs."),
        scenario: str = typer.Option(
            "history",
            "--scenario",
            help="Scenario to calibrate: 'history' (the packaged history.toml: the real "
            "timeline, its drivers' values free), a scenario file, or 'none' (the defaults "
            "without policies over the training period).",
        ),
        write_defaults: bool = typer.Option(
            False,
            "--write-defaults",
            help="Also write the posterior medians as parameter defaults, "
            "calibration_defaults.toml, into the output folder (runs do not use it: the "
            "package's defaults are changed only by hand, see docs/validation.md).",
        ),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
    ) -> None:
        """Calibrate the free parameters by ABC-SMC; write a weighted posterior and fit report."""
        from channelsim.experiments.calibrate import (
            DEFAULT_BUDGET,
            DEFAULT_GENERATIONS,
            DEFAULTS_FILE,
            CalibrationConfig,
            calibrate,
            fit_report,
            posterior_warning,
            read_posterior,
            write_calibration,
        )
        from channelsim.experiments.calibrate import write_defaults as write_defaults_file
        from channelsim.experiments.targets import load_observed, observed_from_store, parse_period

        period = parse_period(train, "--train")
        scenario_path, parameters = _calibrated_scenario(scenario)
        config = CalibrationConfig(
            train=period,
            budget=DEFAULT_BUDGET if budget is None else budget,
            generations=DEFAULT_GENERATIONS if generations is None else generations,
            weather=weather,
            seed=_seed(seed),
            parameters=parameters,
            scenario=scenario_path,
        )
        observed = load_observed(data) if data else observed_from_store()
        used = observed.clip(period, "--train")
        default = Path("calibration") / f"posterior-{used.start}-{used.end}"
        target = output_folder(out or default, force=force)
        with reserved(target, "calibrate"):  # a second calibrate --out here refused at once
            result = calibrate(
                observed,
                config,
                workers=workers,
                executor=scheduler or executor,
                progress=fmt is not OutputFormat.json,
            )
            folder = write_calibration(result, target)
        if write_defaults:  # never the package's own file: a toy calibration replaced it
            written = write_defaults_file(read_posterior(folder), folder / DEFAULTS_FILE)
            err_console.print(
                f"wrote {written}: the posterior medians as parameter defaults, for review; "
                "runs still use the package's defaults",
                highlight=False,
            )
        err_console.print(
            f"posterior: {len(result.posterior)} particles (ESS {result.ess:.0f}) in {folder}; "
            f"{result.elapsed_s:.0f} s",
            highlight=False,
        )
        warning = posterior_warning(len(result.posterior), result.ess, config.budget)
        if warning is not None:
            print_warning(warning)
        _print_calibration(fit_report(result), str(used), folder, fmt)

    @app.command("validate")
    def validate_command(
        posterior: Path = typer.Option(..., "--posterior", help="Posterior folder."),
        data: list[Path] | None = typer.Option(None, "--data", help=DATA_HELP),
        test: str = period_option("--test", "Test period FROM:TO (e.g. 2025:2025)."),
        runs: int = typer.Option(
            100,
            "--runs",
            callback=at_least_one("--runs", MAX_RUNS, least=MIN_VALIDATION_RUNS),
            help=f"Posterior draws to simulate (at least {MIN_VALIDATION_RUNS}: an interval "
            "needs two).",
        ),
        weather: str | None = typer.Option(
            None, "--weather", help=WEATHER_HELP + " Default: the posterior's."
        ),
        workers: int | None = workers_option(),
        executor: str = executor_option(),
        scheduler: str | None = scheduler_option(),
        seed: int = typer.Option(0, "--seed", help="Seed of the draws and the runs."),
        out: Path | None = typer.Option(
            None,
            "--out",
            metavar="PATH",
            parser=output_path(*OUT_FOLDER),
            help="Write validation.json and the calibration plot (HTML) here.",
        ),
        force: bool = force_option(),
        fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table|csv|json"),
        scenario: str | None = typer.Option(
            None,
            "--scenario",
            help="Scenario to continue over the test: 'history', 'none' (the defaults "
            "without policies) or a scenario file; default: the posterior's own.",
        ),
    ) -> None:
        """Predict the test period from a posterior and score it against the official data."""
        from channelsim.experiments.targets import load_observed, observed_from_store, parse_period
        from channelsim.experiments.validate import validate, write_validation

        period = parse_period(test, "--test")
        target = None if out is None else output_folder(out, force=force)
        read = read_posterior_option(posterior)
        continued = _validation_scenario(scenario, read)
        _check_validation_drivers(scenario, continued, read)
        observed = load_observed(data) if data else observed_from_store()
        said = _validated_text(continued, observed.clip(period, "--test"), read)
        if said is not None:
            err_console.print(f"note: {said}", highlight=False)
        with contextlib.nullcontext() if target is None else reserved(target, "validate"):
            result = validate(
                read,
                observed,
                period,
                runs=runs,
                seed=_seed(seed),
                weather=weather,
                workers=workers,
                executor=scheduler or executor,
                progress=fmt is not OutputFormat.json,
                scenario=continued,
            )
            if target is not None:
                folder = write_validation(result, target)
                err_console.print(f"wrote {folder}", highlight=False)
        _print_validation(result, fmt)


def _calibration_rows(report: dict[str, Any]) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """calibrate's two tables: each target's discrepancy (prior and posterior median, its
    weight in the fit), and the totals over the training period against the observed ones
    (``not published`` where there are none: the fit report read 0)."""
    targets = [
        {"figure": f"d_{t['target']}", "target_weight": t.get("weight"),
         "prior_median": t["prior_median"], "posterior_median": t["posterior_median"]}
        for t in report["targets"]
    ]  # fmt: skip
    totals = [
        {"figure": t["total"],
         "observed": "not published" if t["observed"] is None else t["observed"],
         "median": t["median"], "low90": t["low90"], "high90": t["high90"],
         "observed_by": t.get("observed_by")}
        for t in report["totals"]
    ]  # fmt: skip
    return targets, totals


def _print_calibration(
    report: dict[str, Any], period: str, folder: Path, fmt: OutputFormat
) -> None:
    """calibrate's tables (discrepancies, then totals), or one CSV of both with a ``Source``
    column (the model's credit and the Home Office edition fitted to), or the JSON."""
    from channelsim.engine import all_results
    from channelsim.experiments.calibrate import calibration_fields
    from channelsim.reports.credits import calibration_credit

    weights = {t["target"]: t.get("weight", 1.0) for t in report["targets"]}
    sources: list[Fields | None] = [calibration_fields(weights), all_results()]
    targets, totals = _calibration_rows(report)
    if fmt is not OutputFormat.table:
        emit_rows(
            targets + totals, fmt, json_payload={"out": str(folder), **report}, sources=sources,
            credit=calibration_credit(report),
        )  # fmt: skip
        return
    emit_rows(
        targets, fmt, sources=sources,
        title=f"Calibration {_period_words(period)}: discrepancy per target (mean squared "
        "standardised error, 0 = exact), from the prior's runs to the posterior's; a target of "
        "weight 0 is reported, not fitted",
    )  # fmt: skip
    emit_rows(
        totals, fmt, sources=sources,
        title="Totals over the training period: observed against the posterior's median and "
        "90% interval (not published: no figure for the period; dead or missing: the midpoints "
        "of PREMAR's published ranges, not an official series)",
    )  # fmt: skip


def _print_validation(result: dict[str, Any], fmt: OutputFormat) -> None:
    """validate's headline and two tables (the figures compared, then the scores), or one
    CSV of both with a ``Source`` column (the model's and the Home Office's credits), or the
    JSON."""
    from channelsim.engine import all_results
    from channelsim.experiments.validate import validation_credits
    from channelsim.fields import VALIDATION_FIELDS
    from channelsim.reports.credits import source_cell
    from channelsim.reports.headlines import validation_headline, validation_kind

    sources: list[Fields | None] = [VALIDATION_FIELDS, all_results()]
    title = (
        f"{validation_kind(result)} of {_scenario_words(result)} on "
        f"{_period_words(result['test'])} (trained "
        f"{_period_words(result['train'])}): observed against the median and 90% interval of "
        f"{result['runs']} runs"
    )
    if fmt is not OutputFormat.table:
        emit_rows(
            _validation_rows(result), fmt, json_payload=result, sources=sources,
            credit=source_cell(validation_credits(result)),
        )  # fmt: skip
        return
    totals, months, years = _compared_groups(result)
    without = [{k: v for k, v in row.items() if k != "period"} for row in totals]
    emit_rows(without, fmt, title=title, sources=sources, headline=validation_headline(result))
    by_month = [{"month": r["period"], **{k: r[k] for k in VALIDATION_COLUMNS}} for r in months]
    emit_rows(by_month, fmt, title="People arrived in the UK by month", sources=sources)
    if years:
        emit_rows(
            _by_year(years), fmt,
            title="By year: PREMAR's counts (dead or missing: no official series; observed is "
            "the range of the counts PREMAR published, inside: any of it; whole years only)",
            sources=sources,
        )  # fmt: skip
    emit_rows(
        _score_rows(result), fmt, sources=sources,
        title="Scores of the monthly people arrived (the Meaning column says what each measures)",
    )  # fmt: skip


def _scenario_words(result: dict[str, Any]) -> str:
    """The scenario validated, by name (the defaults' own name, ``validation``, in words)."""
    from channelsim.experiments.validate import VALIDATION_SCENARIO

    name = str(result.get("scenario") or VALIDATION_SCENARIO)
    return "the defaults without policies" if name == VALIDATION_SCENARIO else name


def _by_year(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Rows of a period that is a year as a table by year: their period as ``year``."""
    return [
        {"figure": r["figure"], "year": r["period"], **{k: r[k] for k in VALIDATION_COLUMNS}}
        for r in rows
    ]


def _period_words(period: str) -> str:
    """A recorded ``FROM:TO`` period as text writes it (``1 Jan–28 May 2026``, ``2025``)."""
    from channelsim.headline import period_text

    first, last = (dt.date.fromisoformat(d) for d in str(period).split(":"))
    return period_text(first, last).removeprefix("in ")
