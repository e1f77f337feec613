"""An output name too long for the temporary name channelsim writes beside it is refused
before any work, naming the option (s14 breaker B3: a name of 226-255 bytes failed after the
whole run, naming a hidden temporary path)."""

from __future__ import annotations

from pathlib import Path

import pytest

from channelsim.errors import InputError
from channelsim.outputs import output_file, output_folder


@pytest.mark.parametrize("check", [output_folder, output_file])
def test_a_name_too_long_for_the_temporary_is_refused_up_front(tmp_path: Path, check) -> None:
    with pytest.raises(InputError) as caught:
        check(tmp_path / ("b" * 240))
    said = str(caught.value)
    assert ": --out: expected a name of at most 222 bytes" in said, said
    assert said.endswith("got one of 240") and ".channelsim-tmp" not in said
    with pytest.raises(InputError, match="got one of 254"):  # bytes, not characters
        check(tmp_path / ("é" * 127))
    check(tmp_path / ("b" * 222))  # the longest that fits


def test_the_longest_name_is_written(tmp_path: Path) -> None:
    from channelsim.outputs import write_output_folder

    target = output_folder(tmp_path / ("b" * 222))
    written = write_output_folder(
        target, lambda folder: (folder / "a.json").write_text("{}"), kind="run"
    )
    assert (written / "a.json").read_text() == "{}"
