"""CLI commands: ``calibrate`` (ABC-SMC against the official series) and ``validate`` (out of
sample, against data the calibration did not see)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from channelsim.cli.output import OutputFormat, emit_rows, err_console
from channelsim.cli.runs_cmd import (
    MAX_RUNS,
    OUT_FOLDER,
    at_least_one,
    checked_by,
    executor_option,
    force_option,
    output_path,
    scheduler_option,
    workers_option,
)
from channelsim.errors import InputError
from channelsim.outputs import output_folder

#: Most ABC-SMC generations one calibration may ask for: 5 to 6 serve; each generation takes
#: at least 4 of --budget's simulations (at most ``MAX_RUNS``, as an ensemble's runs).
MAX_GENERATIONS = 100
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


VALIDATION_COLUMNS = ("observed", "median", "low90", "high90", "inside90")


#: The fit-by-year measures shown in validate's table (all are in its JSON), with labels.
YEAR_ROWS = {
    "dead_french_zone_people": "PREMAR: dead or missing",
    "rescued_fr_people": "PREMAR: rescued by France",
}


def range_text(low: float, high: float) -> str:
    """A reported range as ``low–high`` in whole numbers, one number when both are equal."""
    return f"{low:,.0f}" if round(low) == round(high) else f"{low:,.0f}–{high:,.0f}"


def _year_row(row: dict[str, Any]) -> dict[str, Any]:
    """One fit-by-year row for the table: a reported range shown as ``low–high``."""
    observed = row["observed"]
    if isinstance(observed, list):
        observed = range_text(*observed)
    label = f"{YEAR_ROWS[row['measure']]} {row['year']}"
    return {"measure": label, **{c: row.get(c) for c in VALIDATION_COLUMNS}, "observed": observed}


#: validate's one-number scores: (unit, what it measures, in one line).
SCORES: dict[str, tuple[str, str]] = {
    "months_in_50": ("fraction", "share of test months whose people lie in the 50% interval"),
    "months_in_90": ("fraction", "share of test months whose people lie in the 90% interval"),
    "mean_absolute_error_people": ("people", "mean |median − observed| over the test months"),
    "mean_absolute_relative_error": ("fraction", "mean |median − observed| ÷ observed, monthly"),
    "ard_monthly": ("fraction", "average relative difference, Σ|median − observed| ÷ Σ observed"),
    "ard_weekly": ("fraction", "average relative difference of the weeks (as ard monthly)"),
    "ard_daily": ("fraction", "average relative difference of the days (as ard monthly)"),
    "daily_correlation": ("-", "Pearson correlation of the daily median with the observed days"),
    "ard_monthly_member_median": ("fraction", "median over runs of each run's monthly ARD"),
    "daily wasserstein": ("people", "Wasserstein distance of people per crossing day"),
    "daily wasserstein_relative": ("fraction", "that distance ÷ the observed mean"),
    "daily ks_statistic": ("-", "Kolmogorov–Smirnov statistic of people per crossing day"),
    "daily observed_mean": ("people", "observed mean people per crossing day"),
    "daily simulated_mean": ("people", "simulated mean people per crossing day"),
    "mase": ("-", "MASE: monthly error ÷ the seasonal naive's in training (below 1: better)"),
    "crps": ("people", "CRPS of the monthly forecast: error and spread (lower: better)"),
    "coverage50": ("fraction", "share of test months inside the 50% interval"),
    "coverage90": ("fraction", "share of test months inside the 90% interval"),
    "mae_ratio_to_seasonal_naive": ("-", "mean absolute error ÷ the seasonal naive forecast's"),
    "total_error": (
        "fraction",
        "median forecast of the test period's total minus the observed, ÷ the observed",
    ),
}


def _score_row(name: str, value: Any, score: str | None = None) -> dict[str, Any]:
    """One score's row: its value with its unit and a one-line explanation."""
    unit, meaning = SCORES.get(score or name, ("", ""))
    return {"measure": name, "value": value, "unit": unit, "meaning": meaning}


def _validation_rows(result: dict[str, Any]) -> list[dict[str, Any]]:
    """Totals, deaths and months against their intervals, then the one-number scores."""
    from channelsim.reports.headlines import VALIDATED

    compared: list[tuple[str, dict[str, Any]]] = [
        (name, result[key]) for key, name in VALIDATED if key in result
    ]
    compared += [(f"dead or missing {year}", f) for year, f in result["deaths_by_year"].items()]
    compared += [(f"people {m['month']}", m) for m in result["monthly"]]
    rows = [{"measure": name, **{c: f.get(c) for c in VALIDATION_COLUMNS}} for name, f in compared]
    for row, (_, f) in zip(rows, compared, strict=True):
        if "sources_low" in f:  # no official series: the sources' published counts
            row["observed"] = range_text(f["sources_low"], f["sources_high"])
    rows += [_year_row(r) for r in result.get("by_year", []) if r["measure"] in YEAR_ROWS]
    scores = [
        ("months_in_50", result["months_in_50"]),
        ("months_in_90", result["months_in_90"]),
        *result["monthly_error"].items(),
        *(
            (f"daily {k}", v)
            for k, v in result["people_per_crossing_day_distance"].items()
            if v is not None
        ),
    ]
    rows.extend(_score_row(name, value) for name, value in scores)
    for name, scored in result.get("skill", {}).get("forecasts", {}).items():
        if "unavailable" in scored:
            rows.append({"measure": f"{name}: too few training months", "value": None})
            continue
        for key in ("mase", "crps", "coverage50", "coverage90", "mae_ratio_to_seasonal_naive"):
            rows.append(_score_row(f"{name} {key}", scored[key], key))
        error = scored["total"]["median_error"]
        rows.append(_score_row(f"{name} total_error", error, "total_error"))
    return rows


def register(app: typer.Typer) -> None:
    """Add ``calibrate`` and ``validate`` to the app."""

    @app.command("calibrate")
    def calibrate_command(
        data: list[Path] = typer.Option(
            ..., "--data", help="Publication file (ODS/XLSX/CSV); repeat for several editions."
        ),
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
            read_posterior,
            write_calibration,
        )
        from channelsim.experiments.calibrate import write_defaults as write_defaults_file
        from channelsim.experiments.targets import load_observed, parse_period

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
        observed = load_observed(data)
        used = observed.clip(period, "--train")
        default = Path("calibration") / f"posterior-{used.start}-{used.end}"
        target = output_folder(out or default, force=force)
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
        report = fit_report(result)
        rows = [
            {
                "measure": f"discrepancy {t['target']}",
                "observed": None,
                "prior_median": t["prior_median"],
                "posterior_median": t["posterior_median"],
            }
            for t in report["targets"]
        ] + [
            {
                "measure": f"total {t['total']}",
                "observed": t["observed"],
                "posterior_median": t["median"],
                "low90": t["low90"],
                "high90": t["high90"],
            }
            for t in report["totals"]
        ]
        emit_rows(
            rows,
            fmt,
            title=f"Calibration {used}: discrepancy per target and totals",
            json_payload={"out": str(folder), **report},
        )

    @app.command("validate")
    def validate_command(
        posterior: Path = typer.Option(..., "--posterior", help="Posterior folder."),
        data: list[Path] = typer.Option(
            ..., "--data", help="Publication file (ODS/XLSX/CSV); repeat for several editions."
        ),
        test: str = period_option("--test", "Test period FROM:TO (e.g. 2025:2025)."),
        runs: int = typer.Option(
            100,
            "--runs",
            callback=at_least_one("--runs", MAX_RUNS),
            help="Posterior draws to simulate.",
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
        from channelsim.engine import all_results
        from channelsim.experiments.calibrate import read_posterior
        from channelsim.experiments.targets import load_observed, parse_period
        from channelsim.experiments.validate import validate, write_validation
        from channelsim.reports.headlines import validation_headline

        period = parse_period(test, "--test")
        target = None if out is None else output_folder(out, force=force)
        read = read_posterior(posterior)
        continued = _validation_scenario(scenario, read)
        observed = load_observed(data)
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
        emit_rows(
            _validation_rows(result),
            fmt,
            title=f"Validation on {result['test']} (trained {result['train']}). Dead or "
            "missing: no official series; observed is the range of the sources' published counts "
            "(inside: the midpoint's); PREMAR: the French maritime prefecture's counts in its zone",
            json_payload=result,
            sources=[all_results()],
            headline=validation_headline(result),
        )
