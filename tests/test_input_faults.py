"""Every bad scenario file and every bad option is one line naming the file, key or option,
exit 2, before any work: no results store, no output folder, nothing else written."""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from channelsim.scenario import load_scenario
from conftest import CliResult
from faults import assert_one_line_error, snapshot
from spreadsheets import make_rows, write_publication

SCENARIO = Path(__file__).resolve().parent.parent / "scenarios" / "status-quo-2025.toml"
TOML_HEAD = 'name = "t"\nstart = 2025-06-01\nend = 2025-06-10\n'
YAML_HEAD = "name: t\nstart: 2025-06-01\nend: 2025-06-10\n"

Cli = Callable[..., CliResult]

# (file name, text, what the line must say)
POLICY_TOML = '[[policies]]\ntype = "beach_funding"\nstart = 2025-06-05\nend = 2025-06-02\n'
POLICY_YAML = "policies:\n  - type: beach_funding\n    start: 2025-06-05\n    end: 2025-06-02\n"
TREND = "[params.coast]\ninflow_trend_per_year = 1.0\n"

ON_HISTORY = f'base = "{SCENARIO.parent / "history.toml"}"\nname = "t"\n'

# (file name, text, what the line must say)
BAD_FILES = [
    ("tab.yaml", YAML_HEAD + "weather:\n\tmode: stochastic\n",
     "invalid YAML at line 5 ('mode: stochastic'), column 1: found a tab"),
    ("dup.yaml", YAML_HEAD + "seed: 1\nseed: 2\n",
     "line 5 ('seed: 2'), column 1: key 'seed' is given twice"),
    ("dup-nested.yaml", YAML_HEAD + "params:\n  sea:\n    engine_speed_kn: 5\n"
     "    engine_speed_kn: 6\n", "key 'engine_speed_kn' is given twice"),
    ("dup.toml", TOML_HEAD + "seed = 1\nseed = 2\n", "invalid TOML at line 5 ('seed = 2')"),
    ("dup-table.toml", TOML_HEAD + "[params.sea]\nengine_speed_kn = 5\n[params.sea]\n",
     "a key or table is given twice"),
    ("policy.toml", TOML_HEAD + POLICY_TOML,
     "policy 1 (beach_funding), end: expected a date on or after the start 2025-06-05, got "
     "2025-06-02"),
    ("policy.yaml", YAML_HEAD + POLICY_YAML,
     "policy 1 (beach_funding), end: expected a date on or after the start"),
    ("future.toml", 'name = "t"\nstart = 2262-01-01\nend = 2262-12-31\n',
     "start: expected a date from 2018-01-01 to 2100-12-31, got 2262-01-01"),
    ("past.toml", 'name = "t"\nstart = 1999-01-01\nend = 2025-01-31\n',
     "start: expected a date from 2018-01-01"),
    ("trend.toml", 'name = "t"\nstart = 2025-01-01\nend = 2100-12-31\n' + TREND,
     "params.coast.inflow_trend_per_year: expected a mean inflow of at most 100,000 people"),
    ("weather-folder.toml", TOML_HEAD + '[weather]\nmode = "file"\npath = "."\n',
     "weather.path: expected a file, got the folder"),
    ("weather-missing.toml", TOML_HEAD + '[weather]\nmode = "file"\npath = "nowhere.csv"\n',
     "weather.path: expected an existing file"),
    ("latin1.toml", None, "expected a UTF-8 text file"),
    # a file that is not a scenario is refused from its name, before it is read
    ("notes.txt", "x" * 100, "notes.txt: expected a .toml, .yaml or .yml scenario file"),
    # a time where a day is expected is shown as the user wrote it, not as Python's repr
    ("datetime.toml", 'name = "t"\nstart = 2025-02-01T10:00:00\nend = 2025-03-01\n',
     "start: expected a date YYYY-MM-DD (without a time), got 2025-02-01T10:00:00"),
    # with an offset too: 2025-06-01T00:00:00+14:00 was taken as 1 June (its UTC day is 31 May)
    ("offset.toml", 'name = "t"\nstart = 2025-06-01T00:00:00+14:00\nend = 2025-07-01\n',
     "start: expected a date YYYY-MM-DD (without a time), got 2025-06-01T00:00:00+14:00"),
    ("policy-offset.toml", TOML_HEAD + '[[policies]]\ntype = "echr_exit"\n'
     "start = 2025-01-01T00:00:00Z\n", "policy-offset.toml: policy 1 (echr_exit), start: "
     "expected a date YYYY-MM-DD (without a time), got 2025-01-01T00:00:00+00:00"),
    # a policy's window is held to the period a scenario may have, as the scenario's own is
    ("policy-1999.toml", TOML_HEAD + '[[policies]]\ntype = "echr_exit"\nstart = 1999-01-01\n',
     "policy-1999.toml: policy 1 (echr_exit), start: expected a date from 2018-01-01 to "
     "2100-12-31, got 1999-01-01"),
    ("policy-2150.toml", TOML_HEAD + '[[policies]]\ntype = "echr_exit"\nend = 2150-01-01\n',
     "policy-2150.toml: policy 1 (echr_exit), end: expected a date from 2018-01-01 to "
     "2100-12-31, got 2150-01-01"),
    # a right-to-left override shows the rest of a name reversed in the terminal and reports
    ("bidi.toml", 'name = "status\u202equo"\nstart = 2025-01-01\nend = 2025-01-31\n',
     "name: expected text without direction controls, got U+202E (RIGHT-TO-LEFT OVERRIDE)"),
    # a name goes into workbooks and the terminal: a bell or an escape would crash or leak
    ("bell.toml", 'name = "a\\u0007b"\nstart = 2025-01-01\nend = 2025-01-31\n',
     "name: expected printable text, got the control character '\\x07'"),
    ("escape.yaml", 'name: "x\\e[31mRED"\nstart: 2025-01-01\nend: 2025-01-31\n',
     "name: expected printable text, got the control character '\\x1b'"),
    # a key is user text too: its escape is shown, not sent to the terminal
    ("escape-key.toml", TOML_HEAD + '"bad\\u001b[2Jkey" = 1\n',
     "escape-key.toml: bad\\x1b[2Jkey: unknown key"),
    ("deep.toml", TOML_HEAD + "[params]\nz = " + "[" * 5000 + "]" * 5000 + "\n",
     "deep.toml: expected a scenario of ordinary depth, got tables or lists nested too deeply"),
    # a single run took any name; run --runs and compare refused it naming neither file nor key
    ("slash.toml", TOML_HEAD.replace('"t"', '"a/b"'),
     "slash.toml: name: expected a name of ASCII letters, digits, '_', '-' or '.' (up to 100, "
     "starting with an ASCII letter or digit), got 'a/b'"),
    ("long.toml", TOML_HEAD.replace('"t"', '"' + "x" * 1000 + '"'), "got 'xxxxx"),
    ("deep.yaml", "a: " + "[" * 100_000 + "]" * 100_000 + "\n",  # libyaml reads 500 levels
     "deep.yaml: expected a scenario of ordinary depth"),
    ("base-missing.toml", 'base = "nothere.toml"\nname = "t"\n',
     "base: expected an existing scenario file (beside this one or shipped with channelsim), "
     "got 'nothere.toml'"),
    # a base's policies come first in the scenario, but the error names this file's own
    ("policy-on-base.toml", ON_HISTORY + POLICY_TOML,
     "policy-on-base.toml: policy 1 (beach_funding), end: expected a date on or after the start"),
    ("policy-type-on-base.toml", ON_HISTORY + '[[policies]]\ntype = "nope"\n',
     "policy-type-on-base.toml: policy 1 (nope), type: unknown policy type 'nope'"),
    ("policy-param-on-base.toml", ON_HISTORY + '[[policies]]\ntype = "beach_patrols"\n'
     "[policies.params]\nbogus = 1\n", "policy 1 (beach_patrols), params.bogus: unknown key"),
    ("mode.toml", TOML_HEAD + '[weather]\nmode = "bogus"\n',
     "weather.mode: expected one of stochastic, file, replay, era5, open-meteo, got 'bogus'"),
    # an unknown key lists the valid ones (a misspelling's nearest first), at every level
    ("misspelt.toml", TOML_HEAD + "[params.coast]\ninflow_people_per_dayy = 3\n",
     "params.coast.inflow_people_per_dayy: unknown key; did you mean inflow_people_per_day? "
     "expected one of initial_waiting_people, inflow_people_per_day,"),
    ("group.yaml", YAML_HEAD + "params:\n  nosuch: {x: 1}\n",
     "params.nosuch: unknown key; expected one of coast, networks, beach, sea,"),
    ("top.toml", TOML_HEAD + "sead = 3\n",
     "sead: unknown key; did you mean seed? expected one of name, description, start, end, "
     "simulated_from, seed"),
    # a file may also give a base and the base's policies it drops: they are listed too
    ("top-base.toml", TOML_HEAD + 'bsae = "history.toml"\n', "bsae: unknown key; did you mean "
     "base? expected one of name, description, start, end, simulated_from, seed, weather, "
     "parameter_set, params, policies, base, drop_policies"),
    # a policy's own check names the policy, and says what to give, with units
    ("budget.toml", TOML_HEAD + '[[policies]]\ntype = "beach_patrols"\n', "budget.toml: policy 1 "
     "(beach_patrols), params: expected the patrols' budget, one way: funding_gbp_per_year "
     "(pounds a year) or payments_eur (euros for each year from the start, a list); got neither"),
    ("second.toml", TOML_HEAD + '[[policies]]\ntype = "one_in_one_out"\n[[policies]]\n'
     'type = "beach_patrols"\n[policies.params]\nfunding_gbp_per_year = 1e6\n'
     "payments_eur = [1e6]\n", "second.toml: policy 2 (beach_patrols), params: expected the "
     "patrols' budget, one way: funding_gbp_per_year (pounds a year) or payments_eur (euros for "
     "each year from the start, a list); got both"),
    # the budget's split into officers, drones and vehicles went with their unsourced unit
    # costs (s12 U10): a file that still sets one is told so, not run without it
    ("shares.toml", TOML_HEAD + '[[policies]]\ntype = "beach_patrols"\n[policies.params]\n'
     "funding_gbp_per_year = 1e6\nofficer_share = 0.9\n", "shares.toml: policy 1 "
     "(beach_patrols), params.officer_share: unknown key"),
    # a payment is money paid: a negative one ran as a refund, with negative effort
    ("refund.toml", TOML_HEAD + '[[policies]]\ntype = "beach_patrols"\n[policies.params]\n'
     "payments_eur = [141e6, -1]\n", "refund.toml: policy 1 (beach_patrols), "
     "params.payments_eur item 2: expected a number ≥ 0, got -1"),
    # a misspelt zone guarded nothing while the patrols' cost was booked, silently
    ("atlantis.toml", TOML_HEAD + '[[policies]]\ntype = "beach_patrols"\n[policies.params]\n'
     'funding_gbp_per_year = 1e6\nzones = ["Calais", "Dunkirk (Malo / Bray-Dunes)"]\n',
     "atlantis.toml: policy 1 (beach_patrols), params.zones: expected beach zones among "
     "Dunkirk (Malo / Bray-Dunes), Calais / Sangatte, "),
    ("taxi.toml", TOML_HEAD + '[[policies]]\ntype = "taxi_boat_interdiction"\n'
     '[policies.params]\nzones = ["Calais / Sangatte"]\n', "taxi.toml: policy 1 "
     "(taxi_boat_interdiction), params.zones: expected waterway zones among Gravelines (Aa), "),
    # an empty list guarded no beach while its cost was booked: "£50m of patrols do nothing"
    ("nozones.toml", TOML_HEAD + '[[policies]]\ntype = "beach_patrols"\n[policies.params]\n'
     "funding_gbp_per_year = 5e7\nzones = []\n", "nozones.toml: policy 1 (beach_patrols), "
     "params.zones: expected at least one beach zone among Dunkirk (Malo / Bray-Dunes), "),
    ("twice.toml", TOML_HEAD + '[[policies]]\ntype = "taxi_boat_interdiction"\n'
     '[policies.params]\nzones = ["Gravelines (Aa)", "Gravelines (Aa)"]\n', "twice.toml: "
     "policy 1 (taxi_boat_interdiction), params.zones: expected each waterway zone once; got "
     "'Gravelines (Aa)' more than once"),
    # a date parameter is held to the period a scenario may have (1990 and 2200 were taken)
    ("first-return.toml", TOML_HEAD + '[[policies]]\ntype = "one_in_one_out"\n'
     "[policies.params]\nfirst_return = 1990-01-01\n", "first-return.toml: policy 1 "
     "(one_in_one_out), params.first_return: expected a date on or after 2018-01-01"),
    # a list's items are counted as a reader counts them, from 1, as policies are
    ("zone.toml", TOML_HEAD + '[[policies]]\ntype = "beach_patrols"\n[policies.params]\n'
     'funding_gbp_per_year = 1e6\nzones = ["calais", 3]\n', "zone.toml: policy 1 "
     "(beach_patrols), params.zones item 2: expected text (in quotes), got 3"),
    # a cost far above any real programme's was accepted and overflowed the ledger (the
    # extra cost came out null, or 9.99e307): every cost has an upper bound
    ("hugecost.toml", TOML_HEAD + '[[policies]]\ntype = "maritime_doctrine"\n'
     "[policies.params]\ncost_gbp_per_boat_day = 1e307\n", "hugecost.toml: policy 1 "
     "(maritime_doctrine), params.cost_gbp_per_boat_day: expected a number ≤ 1,000,000,"
     " got 1e+307"),
    ("hugeyear.toml", TOML_HEAD + '[[policies]]\ntype = "network_disruption"\n'
     "[policies.params]\ncost_gbp_per_year = 1e308\n", "hugeyear.toml: policy 1 "
     "(network_disruption), params.cost_gbp_per_year: expected a number ≤ 10,000,000,000"),
    ("no-payments.toml", TOML_HEAD + '[[policies]]\ntype = "beach_patrols"\n[policies.params]\n'
     "payments_eur = []\n", "no-payments.toml: policy 1 (beach_patrols), params.payments_eur: "
     "expected at least 1 item, got none"),
    ("policy-key.toml", TOML_HEAD + '[[policies]]\ntype = "beach_patrols"\nofficers = 3\n',
     "policy 1 (beach_patrols), officers: unknown key; expected one of type, name, replaces, "
     "start, end, params, source"),
    ("policy-param.toml", TOML_HEAD + '[[policies]]\ntype = "beach_patrols"\n'
     "[policies.params]\ncost_gbp_per_oficer_year = 5e5\n",
     "policy 1 (beach_patrols), params.cost_gbp_per_oficer_year: unknown key; did you mean "
     "cost_gbp_per_officer_year? expected one of funding_gbp_per_year,"),
    # wrong types say what was given and what is expected, in words, not pydantic's
    ("date.toml", 'name = "t"\nstart = "yesterday"\nend = 2025-06-10\n',
     "start: expected a date YYYY-MM-DD, got 'yesterday'"),
    ("name.toml", 'name = 3\nstart = 2025-06-01\nend = 2025-06-10\n',
     "name: expected text (in quotes), got 3"),
    ("policies.toml", TOML_HEAD + "policies = 3\n", "policies: expected a list, got 3"),
    ("description.yaml", YAML_HEAD + "description: [a]\n", "description: expected text (in "
     "quotes), got a list"),
]  # fmt: skip

COMMANDS = {
    "run": lambda path, tmp: ["run", path, "--out", tmp / "out"],
    "ensemble": lambda path, tmp: [
        "run", path, "--runs", 2, "--runs-store", tmp / "runs.duckdb", "--out", tmp / "out"
    ],
    "compare": lambda path, tmp: [
        "compare", SCENARIO, path, "--runs", 2, "--runs-store", tmp / "runs.duckdb",
    ],
    "sensitivity": lambda path, tmp: ["sensitivity", path, "--out", tmp / "out"],
}  # fmt: skip


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize(("name", "text", "expected"), BAD_FILES, ids=[f[0] for f in BAD_FILES])
def test_a_bad_scenario_file_is_one_line_before_any_work(
    run_cli: Cli, tmp_path: Path, command: str, name: str, text: str | None, expected: str
) -> None:
    path = tmp_path / name
    if text is None:
        path.write_bytes((TOML_HEAD + 'description = "Rivière Aa"\n').encode("latin-1"))
    else:
        path.write_text(text, encoding="utf-8")
    before = snapshot(tmp_path)
    result = run_cli(*COMMANDS[command](path, tmp_path))
    line = assert_one_line_error(result, str(path), expected)
    assert snapshot(tmp_path) == before
    assert line.count(", got ") <= 1, line  # what was given, said once
    assert "policies[" not in line  # one spelling of a policy's key: policies.K


def test_a_device_or_a_huge_file_is_refused_before_it_is_read(run_cli: Cli, tmp_path: Path) -> None:
    """`run /dev/zero` read forever (2.7 GB, then a MemoryError traceback); a 200 MB file
    was read whole before its suffix was looked at. (A named pipe is read, bounded: the
    resident engine's tests hold a caller on one.)"""
    inputs, work = tmp_path / "inputs", tmp_path / "work"
    inputs.mkdir()
    work.mkdir()
    device = inputs / "zero.toml"
    device.symlink_to("/dev/zero")
    huge = inputs / "huge.toml"
    with huge.open("wb") as handle:  # sparse: 5 MB of nothing, written in no time
        handle.truncate(5 * 2**20)
    cases = [
        (device, "zero.toml: expected a scenario file (a file), got a device or socket"),
        (Path("/dev/zero"), "/dev/zero: expected a .toml, .yaml or .yml scenario file"),
        (huge, "huge.toml: expected a scenario file of at most 4 MB, got 5 MB"),
    ]
    for path, expected in cases:
        assert_one_line_error(run_cli("run", path, "--out", work / "out"), expected)
        assert not any(work.iterdir())


def test_weather_files_and_bases_that_are_devices_are_refused_before_they_are_read(
    run_cli: Cli, tmp_path: Path
) -> None:
    """A weather `path` of /dev/zero was read by pandas until the machine ran out of memory
    (24 GB, then the kernel's OOM kill, no message); /etc/shadow was parsed and its first
    line echoed; `base = "/dev/zero"` said the device did not exist; a named pipe nobody
    writes to was waited on for ever."""
    inputs, work = tmp_path / "inputs", tmp_path / "work"
    inputs.mkdir()
    work.mkdir()
    (inputs / "zero.csv").symlink_to("/dev/zero")
    os.mkfifo(inputs / "fifo.csv")  # nobody writes to it: opening it waited for ever
    huge = inputs / "huge.csv"
    with huge.open("wb") as handle:  # sparse: 65 MB of nothing, written in no time
        handle.truncate(65 * 2**20)
    weather = {
        "file": [
            ("/dev/zero", "/dev/zero: expected a .csv weather file"),
            ("zero.csv", "zero.csv: expected a weather file (a file), got a device or socket"),
            ("huge.csv", "huge.csv: expected a weather file of at most 64 MB, got 65 MB"),
            ("fifo.csv", "fifo.csv: expected a weather file (a file), got a named pipe"),
        ],
        "open-meteo": [
            ("zero.csv", "zero.csv: expected a weather file (a file), got a device or socket"),
            ("fifo.csv", "fifo.csv: expected a weather file (a file), got a named pipe"),
        ],
    }
    cases = [
        (f'[weather]\nmode = "{mode}"\npath = "{target}"\n', expected)
        for mode, targets in weather.items()
        for target, expected in targets
    ] + [
        ("", "base: expected an existing scenario file (beside this one or shipped with "
         "channelsim), got '/dev/zero': /dev/zero is a device or socket"),
        ("", "base: expected a .toml, .yaml or .yml scenario file, got 'passwd'"),
    ]  # fmt: skip
    bases = ['"status-quo-2025.toml"'] * 6 + ['"/dev/zero"', '"passwd"']
    (inputs / "passwd").write_text("root:x:0:0::/root:/bin/sh\n")
    for (body, expected), base in zip(cases, bases, strict=True):
        scenario = inputs / "s.toml"
        scenario.write_text(f"base = {base}\n{body}")
        assert_one_line_error(run_cli("run", scenario, "--out", work / "out"), expected)
        assert not any(work.iterdir())


def test_an_open_meteo_file_that_is_a_folder_reads_an_open_meteo(tmp_path: Path) -> None:
    """The article goes with the word: "expected an Open-Meteo CSV or JSON file"."""
    from channelsim.errors import InputError
    from channelsim.world.reanalysis import read_open_meteo

    (tmp_path / "w.json").mkdir()
    with pytest.raises(InputError) as caught:
        read_open_meteo(tmp_path / "w.json")
    assert str(caught.value).endswith("expected an Open-Meteo CSV or JSON file, got a folder")


def test_a_byte_order_mark_is_read_as_utf8(tmp_path: Path) -> None:
    """Windows Notepad starts UTF-8 files with a byte-order mark; TOML refused it as an
    'invalid statement' at line 1."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + TOML_HEAD.encode())
    assert load_scenario(path).name == "t"


BAD_OPTIONS = [
    (["--from", "2025-06-10", "--to", "2025-06-01"],
     "--from: expected a date on or before --to 2025-06-01, got 2025-06-10"),
    (["--from", "2026-01-05"], "--from: expected a date on or before the scenario's end"),
    (["--to", "2024-12-31"], "--to: expected a date on or after the scenario's start 2025-01-01"),
    (["--to", "2262-04-12"], "--to: expected a date from 2018-01-01 to 2100-12-31"),
    (["--from", "1677-09-21"], "--from: expected a date from 2018-01-01"),
    (["--from", "2025-02-30"], "--from: expected a date YYYY-MM-DD, got '2025-02-30'"),
    # --from and --to shorten the period: they never lengthen it silently
    (["--from", "2024-12-01"],
     "--from: expected a date on or after the scenario's start 2025-01-01, got 2024-12-01"),
    (["--from", "2024-12-01", "--to", "2025-01-10"], "--from: expected a date on or after"),
    (["--to", "2026-01-02"],
     "--to: expected a date on or before the scenario's end 2025-12-31, got 2026-01-02"),
    (["--seed", str(2**63)],
     f"--seed: expected a whole number from 0 to {2**63 - 1} (2^63−1), got {2**63}"),
    (["--seed", "-1"], "--seed: expected a whole number from 0 to"),
]  # fmt: skip

ENSEMBLE_OPTIONS = [
    (["--runs", "0"], "--runs: expected a whole number of at least 1 and at most 100,000, got 0"),
    (["--runs", "-4"], "--runs: expected a whole number of at least 1 and at most 100,000, got -4"),
    (["--runs", str(10**20)], "--runs: expected a whole number of at least 1 and at most 100,000"),
    (["--runs", "2", "--workers", "0"], "--workers: expected a whole number of at least 1"),
    (["--runs", "2", "--scheduler", "tcp://"], "--scheduler: expected tcp://HOST:PORT with a host"),
    (["--runs", "2", "--scheduler", "tcp://host:port"], "got 'tcp://host:port'"),
    (["--runs", "2", "--scheduler", "tcp://10.0.0.1:99999"], "a port from 1 to 65535"),
    (["--runs", "2", "--scheduler", "http://10.0.0.1:8786"], "expected a Dask scheduler address"),
    (["--runs", "2", "--scheduler", "localhost:8786"], "expected a Dask scheduler address"),
]  # fmt: skip


def _ids(value: object) -> str:
    return " ".join(value) if isinstance(value, list) else ""


@pytest.mark.parametrize(("args", "expected"), BAD_OPTIONS + ENSEMBLE_OPTIONS, ids=_ids)
def test_a_bad_run_option_is_one_line_before_any_work(
    run_cli: Cli, tmp_path: Path, args: list[str], expected: str
) -> None:
    store = ["--runs-store", tmp_path / "runs.duckdb"] if "--runs" in args else []
    before = snapshot(tmp_path)
    result = run_cli("run", SCENARIO, *args, *store, "--out", tmp_path / "o")
    assert_one_line_error(result, expected)
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    "args",
    [["--runs", "0"], ["--seed", str(2**63)], ["--workers", "0"], ["--scheduler", "tcp://"]],
    ids=_ids,
)
@pytest.mark.parametrize("command", ["compare", "sensitivity"])
def test_the_same_options_of_other_commands_are_one_line(
    run_cli: Cli, tmp_path: Path, command: str, args: list[str]
) -> None:
    if command == "sensitivity" and args[0] == "--runs":
        args = ["--samples", "1", "--method", "morris"]
    scenarios = [SCENARIO, SCENARIO] if command == "compare" else [SCENARIO]
    before = snapshot(tmp_path)
    result = run_cli(command, *scenarios, *args, "--out", tmp_path / "o")
    assert_one_line_error(result, args[0])
    assert snapshot(tmp_path) == before


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["--budget", "100001"],
            "--budget: expected a whole number of at least 1 and at most 100,000",
        ),
        (
            ["--generations", "101"],
            "--generations: expected a whole number of at least 1 and at most 100",
        ),
        (
            ["--seed", "-1"],
            "--seed: expected a whole number from 0 to 9223372036854775807 (2^63−1)",
        ),
    ],
    ids=_ids,
)
def test_calibrate_counts_state_their_range(run_cli: Cli, args: list[str], expected: str) -> None:
    """--budget and --generations had no upper limit (10^11 simulations were planned); --seed
    said "an integer" where every other option says "a whole number"."""
    data = SCENARIO.parent.parent / "examples" / "claims" / "forms-2024-2025.yaml"
    assert_one_line_error(
        run_cli("calibrate", *args, "--data", data, "--train", "2024:2024"), expected
    )


def test_a_whole_number_key_says_whole_number(run_cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "t.toml"
    path.write_text(TOML_HEAD + "[params.networks]\nmax_boats_per_day = 2.5\n")
    assert_one_line_error(
        run_cli("run", path),
        "params.networks.max_boats_per_day: expected a whole number (boats/day), got 2.5",
    )


def test_a_number_given_with_its_unit_is_named_as_such(run_cli: Cli, tmp_path: Path) -> None:
    """A value "4m" in a scenario file said only "expected a number": the parameter's unit, and that
    the value is a bare number."""
    path = tmp_path / "t.toml"
    path.write_text(TOML_HEAD + '[params.coast]\ninflow_people_per_day = "4m"\n')
    assert_one_line_error(
        run_cli("run", path),
        "params.coast.inflow_people_per_day: expected a number (people/day; a bare number, "
        "without a unit or quotes), got '4m'",
    )


def test_a_scenario_path_that_is_a_folder_is_one_line(run_cli: Cli, tmp_path: Path) -> None:
    assert_one_line_error(run_cli("run", tmp_path), str(tmp_path), "expected a scenario file")


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["run", SCENARIO, "--frobnicate"], "No such option: --frobnicate"),
        (["run"], "Missing argument 'SCENARIO'"),
        (["compare", SCENARIO], "Missing argument 'OTHERS'"),
    ],
    ids=["unknown-option", "missing-argument", "missing-others"],
)
def test_usage_errors_are_one_line_too(
    run_cli: Cli, tmp_path: Path, args: list[object], expected: str
) -> None:
    """Typer's own usage errors were a usage block and an error line: now one line, with
    the command's --help named."""
    line = assert_one_line_error(run_cli(*args), expected)
    assert line.endswith(f"(see channelsim {args[0]} --help)")


def _every_option() -> list[tuple[list[str], Any]]:
    """Every option of every command: (command path, click parameter)."""
    from channelsim.cli import command

    found: list[tuple[list[str], Any]] = []

    def walk(group: Any, path: list[str]) -> None:
        if hasattr(group, "list_commands"):
            for name in group.list_commands(None):
                walk(group.get_command(None, name), [*path, name])
            return
        found.extend((path, param) for param in group.params)

    walk(command(), [])
    return found


def _typed_options() -> list[tuple[list[str], str, str]]:
    """Every number or choice option of every command: (command path, option, expected)."""
    found = []
    for path, param in _every_option():
        kind = param.type_descriptor.annotation
        if isinstance(kind, type) and issubclass(kind, enum.Enum):
            expected = f"expected one of {', '.join(m.value for m in kind)}"
        elif kind in (int, float):
            expected = "expected a whole number" if kind is int else "expected a number"
        else:
            continue
        found.append((path, param.opts[0], expected))
    return found


@pytest.mark.parametrize(
    ("path", "option", "expected"), _typed_options(), ids=lambda v: v if isinstance(v, str) else ""
)
def test_a_value_of_the_wrong_kind_is_one_line_in_our_words(
    run_cli: Cli, path: list[str], option: str, expected: str
) -> None:
    """`run --runs 2.5` said "Invalid value for '--runs': Input should be a valid integer,
    unable to parse string as an integer" (the parser's words): every number and choice
    option of every command names itself and what it takes, as the commands' own checks do."""
    line = assert_one_line_error(
        run_cli(*path, option, "2.5x"), f"{option}: {expected}, got '2.5x'"
    )
    assert "Input should" not in line and "Value error" not in line


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux's /proc")
def test_an_output_under_proc_cannot_be_written_there(run_cli: Cli) -> None:
    """/proc exists but takes no files: not 'no such file or folder'."""
    line = assert_one_line_error(
        run_cli("run", SCENARIO, "--out", "/proc/channelsim-out"),
        "/proc/channelsim-out: --out: cannot write in /proc: it takes no new files",
    )
    assert "no such" not in line


WEATHER_HEAD = "time,wind_speed_kn,wind_from_deg,wave_height_m,sea_temp_c\n"


@pytest.mark.parametrize(
    ("rows", "expected"),
    [
        (
            "2025-06-01,5,180,0.5,15\nyesterday,5,180,0.5,15\n",
            "row 3, column 'time': expected ISO 8601 dates or date-times in UTC (2025-06-01, "
            "2025-06-01 13:00, 2025-06-01T13:00:00Z), got 'yesterday'",
        ),
        (
            "2025-06-01,5,180,0.5,15\n2025-06-01,5,180,0.5,15\n",
            "row 3, column 'time': expected each time once, got '2025-06-01' again",
        ),
    ],
    ids=["not-a-time", "twice"],
)
def test_a_bad_time_in_a_weather_file_says_what_was_expected(
    run_cli: Cli, tmp_path: Path, rows: str, expected: str
) -> None:
    weather = tmp_path / "w.csv"
    weather.write_text(WEATHER_HEAD + rows)
    scenario = tmp_path / "s.toml"
    scenario.write_text(TOML_HEAD + '[weather]\nmode = "file"\npath = "w.csv"\n')
    assert_one_line_error(run_cli("run", scenario), f"{weather}: {expected}")


def test_a_weather_file_without_a_time_column_names_the_columns(
    run_cli: Cli, tmp_path: Path
) -> None:
    weather = tmp_path / "w.csv"
    weather.write_text("date,wind_speed_kn\n2025-06-01,5\n")
    scenario = tmp_path / "s.toml"
    scenario.write_text(TOML_HEAD + '[weather]\nmode = "file"\npath = "w.csv"\n')
    assert_one_line_error(
        run_cli("run", scenario),
        "column 'time': expected a 'time' column of ISO 8601 dates",
        "got columns 'date', 'wind_speed_kn'",
    )


def test_more_workers_than_cores_are_capped_with_a_note() -> None:
    """`--workers 64` on a small machine: a note and the cores' number, not 64 processes."""
    from channelsim.cli.runs_cmd import _workers
    from channelsim.experiments.executor import default_workers

    cores = default_workers()
    assert _workers(None, cores + 62) == cores  # no command's context: the note
    assert _workers(None, 1) == 1 and _workers(None, None) is None


def test_explore_s_address_and_data_are_checked_before_it_serves(
    run_cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`explore --host 999.1.1.1` and a `--port` in use ended with the web server's own text
    and exit 1, and `--data` of the wrong kind was first noticed by the page: each is one
    line naming the option, exit 2, before the server starts."""
    import socket

    import channelsim.explore

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("the server started")

    monkeypatch.setattr(channelsim.explore, "serve", never)
    result = run_cli("explore", "--host", "999.1.1.1", "--port", 0)
    assert_one_line_error(result, "--host: expected an address or name of this machine")
    assert "'999.1.1.1', which is neither an address nor a name it knows" in result.stderr
    assert "service" not in result.stderr  # the resolver's "Name or service not known"
    result = run_cli("explore", "--host", "192.0.2.1", "--port", 0)  # TEST-NET-1: not ours
    line = assert_one_line_error(result, "--host: expected an address of this machine")
    assert line.endswith("'192.0.2.1': no network interface of this machine has it")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_cli("explore", "--host", "127.0.0.1", "--port", port)
    assert_one_line_error(result, f"--port: expected a free port, but {port} is in use")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a publication\n")
    result = run_cli("explore", "--port", 0, "--data", notes)
    assert_one_line_error(result, str(notes), "--data: expected an .ods or .xlsx workbook")
    result = run_cli("explore", "--port", 0, "--store", notes)
    assert_one_line_error(result, str(notes), "is not a DuckDB file")


DATA = SCENARIO.parent.parent / "examples" / "claims" / "forms-2024-2025.yaml"
# (the command, the option or variable naming the store, what the line says it expected)
EMPTY_STORES = [
    (["runs", "list"], "--runs-store", "the results store's file"),
    (["run", SCENARIO, "--to", "2025-01-03", "--runs", 2], "--runs-store", "results store"),
    (["run", SCENARIO, "--to", "2025-01-03", "--runs", 2], "CHANNELSIM_RUNS", "results store"),
    (["compare", SCENARIO, SCENARIO, "--runs", 2], "--runs-store", "results store"),
    (["data", "editions"], "--store", "the data store"),
    (["data", "brief"], "CHANNELSIM_STORE", "the data store"),
    (["data", "import", "PUBLICATION"], "--store", "the data store"),
    (["claims", DATA], "--store", "the data store"),
]


@pytest.mark.parametrize(
    ("name", "content"), [("mine.duckdb", b""), ("mine.csv", b"a,b\n1,2\n")], ids=["empty", "csv"]
)
@pytest.mark.parametrize(
    ("args", "where", "expected"),
    EMPTY_STORES,
    ids=[
        f"{a[0]} {a[1] if len(a) > 1 and isinstance(a[1], str) else ''} {w}"
        for a, w, _ in EMPTY_STORES
    ],
)
def test_an_empty_or_data_file_as_a_store_is_refused_and_left_untouched(
    run_cli: Cli,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[object],
    where: str,
    expected: str,
    name: str,
    content: bytes,
) -> None:
    """A 0-byte file is not a store: DuckDB could take it for a new database and write its
    tables into the user's file. Nor is a CSV file: DuckDB opens it as a table of a database
    in memory, so a run "recorded" there was lost when the command ended (exit 0). Each is
    refused in one line, its bytes and time unchanged."""
    if "PUBLICATION" in args:
        daily, weekly = make_rows(dt.date(2024, 4, 29), 14, seed=1)
        publication = write_publication(tmp_path / "pub.ods", daily, weekly)
        args = [publication if a == "PUBLICATION" else a for a in args]
    mine = tmp_path / "store" / name
    mine.parent.mkdir()
    mine.write_bytes(content)
    before = (hashlib.sha256(mine.read_bytes()).hexdigest(), mine.stat().st_mtime_ns)
    if where.startswith("--"):
        args = [*args, where, mine]
    else:
        monkeypatch.setenv(where, str(mine))
    result = run_cli(*args)
    results_store = "results store" in expected
    why = "is a data file" if content and results_store else "not a DuckDB file"
    assert_one_line_error(result, str(mine), why, expected)
    assert (hashlib.sha256(mine.read_bytes()).hexdigest(), mine.stat().st_mtime_ns) == before
    assert [p.name for p in mine.parent.iterdir()] == [name]


def _date_options() -> list[tuple[list[str], str]]:
    """Every date option of every command (its help says YYYY-MM-DD): (command path, option)."""
    return [
        (path, param.opts[0])
        for path, param in _every_option()
        if "YYYY-MM-DD" in (getattr(param, "help", None) or "")
    ]


DATE_OPTIONS = _date_options()
BAD_DAYS = {
    "2025-13-01": " (there is no month 13)",
    "2025-02-30": " (February 2025 has 28 days)",
    "25-01-01": "",
    "": "",
}


def test_every_command_has_its_date_options_found() -> None:
    commands = {" ".join(path) for path, _ in DATE_OPTIONS}
    assert {"run", "sensitivity", "forecast", "weather download", "data summary"} <= commands
    assert (["data", "brief"], "--as-of") in DATE_OPTIONS


@pytest.mark.parametrize(
    ("path", "option"), DATE_OPTIONS, ids=lambda v: " ".join(v) if isinstance(v, list) else v
)
@pytest.mark.parametrize("value", list(BAD_DAYS))
def test_a_bad_date_is_the_same_line_for_every_date_option(
    run_cli: Cli, path: list[str], option: str, value: str
) -> None:
    """`data summary --from 2025-13-01` said "found" where `run` said "got", neither said why,
    and `forecast`/`weather download` asked for a missing argument first: every date option is
    checked as the command line is read, in one wording, with the reason when there is one."""
    expected = f"{option}: expected a date YYYY-MM-DD, got {value!r}{BAD_DAYS[value]}"
    line = assert_one_line_error(run_cli(*path, option, value), expected)
    assert line == f"error: {expected}"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ["calibrate", "--train", "2025-13:2026"],
            "--train: expected YYYY, YYYY-MM or YYYY-MM-DD, got '2025-13' (there is no month 13)",
        ),
        (
            ["validate", "--test", "2025-01-01:2025-02-29"],
            "--test: expected YYYY, YYYY-MM or YYYY-MM-DD, got '2025-02-29' "
            "(February 2025 has 28 days)",
        ),
    ],
    ids=["train", "test"],
)
def test_a_bad_period_is_one_line_before_the_other_options(
    run_cli: Cli, args: list[str], expected: str
) -> None:
    assert_one_line_error(run_cli(*args), expected)


def test_an_unquoted_day_that_does_not_exist_in_yaml_is_one_line(
    run_cli: Cli, tmp_path: Path
) -> None:
    """PyYAML's own date reading raised "ValueError: month must be in 1..12": a traceback."""
    path = tmp_path / "t.yaml"
    path.write_text("name: t\nstart: 2025-13-01\nend: 2025-06-10\n")
    assert_one_line_error(
        run_cli("run", path),
        f"{path}: invalid YAML at line 2 ('start: 2025-13-01'), column 8: expected a date "
        "YYYY-MM-DD, got '2025-13-01' (there is no month 13)",
    )


def test_a_day_that_does_not_exist_in_a_scenario_file_says_why(
    run_cli: Cli, tmp_path: Path
) -> None:
    path = tmp_path / "t.yaml"
    path.write_text('name: t\nstart: "2025-02-29"\nend: 2025-06-10\n')
    assert_one_line_error(
        run_cli("run", path),
        "start: expected a date YYYY-MM-DD, got '2025-02-29' (February 2025 has 28 days)",
    )


def test_a_key_inside_a_list_item_is_counted_from_1() -> None:
    from channelsim.params import key_text

    assert key_text(["params", "payments_eur", 0]) == "params.payments_eur item 1"
    assert key_text(["stations", 2, "name"]) == "stations item 3, name"
    assert key_text(["grid", 0, 1]) == "grid item 1 item 2"


VALUE_OPTIONS = [
    (path, param.opts[0])
    for path, param in _every_option()
    if param.param_type_name == "option" and not param.is_flag and not param.count
]


@pytest.mark.parametrize(
    ("path", "option"), VALUE_OPTIONS, ids=lambda v: " ".join(v) if isinstance(v, list) else v
)
def test_an_option_without_its_value_is_one_line_in_our_words(
    run_cli: Cli, path: list[str], option: str
) -> None:
    """`run --from` (last on the line) said "Option '--from' requires an argument." in the
    parser's words, without the option first as every other line has it."""
    assert_one_line_error(run_cli(*path, option), f"{option}: expected a value after it, got none")
