"""docs/validation.md's table of the code behind each shipped posterior matches the folders."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ROW = re.compile(r"^\| `([\w.-]+)`[^|]* \| (\w{7}) \| (yes|no \(rebased\)) \|", re.M)


def test_every_shipped_posterior_is_in_the_table_with_its_commit() -> None:
    text = (ROOT / "docs" / "validation.md").read_text(encoding="utf-8")
    rows = {folder: commit for folder, commit, _ in ROW.findall(text)}
    folders = sorted(p.parent.name for p in (ROOT / "calibration").glob("*/posterior.toml"))
    assert sorted(rows) == folders
    for folder in folders:
        with (ROOT / "calibration" / folder / "posterior.toml").open("rb") as file:
            recorded = tomllib.load(file)
        commit = _find(recorded, "git_commit")
        assert isinstance(commit, str) and commit.startswith(rows[folder]), folder


def _find(table: dict[str, object], key: str) -> object:
    """A key anywhere in a nested TOML table."""
    if key in table:
        return table[key]
    for value in table.values():
        if isinstance(value, dict):
            found = _find(value, key)
            if found is not None:
                return found
    return None
