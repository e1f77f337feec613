"""What a Ctrl-C or SIGTERM leaves behind in a command that runs a scenario and writes its
outputs (``run``, ``demo``, ``compare``), said on the one line the user sees; and the same for
outputs refused once the members have run (another command wrote the folder meanwhile).

The ensemble says how far its members got (``channelsim.experiments.run_ensemble``) and the
output folder whether it was written (``channelsim.outputs``); what is left is the stretch
after the last member: a run whose members are all recorded but whose outputs were not
written is marked interrupted, not done, so that ``--resume`` finishes it from the recorded
members without recomputing them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from channelsim.cli.output import err_console
from channelsim.errors import ChannelsimError
from channelsim.interrupts import stop_reason
from channelsim.outputs import written_note

if TYPE_CHECKING:
    from channelsim.outputs import OutputTarget
    from channelsim.runstore import RunStore


@dataclass
class Finish:
    """The command's output folder (if any) and how far its writing got."""

    target: OutputTarget | None
    started: bool = False
    done: bool = False

    def write(self, write: Callable[[OutputTarget], Path]) -> Path | None:
        """Write the outputs with ``write(target)`` (nothing without a target); from here on
        an interruption no longer stops the run's work."""
        self.started = True
        written = None if self.target is None else write(self.target)
        self.done = True
        return written

    def write_run(
        self,
        run: str | None,
        store: Path,
        payload: dict[str, Any],
        write: Callable[[OutputTarget], Path],
        what: str = "outputs",
    ) -> None:
        """Say where the run is recorded, write its outputs (:meth:`write`), say where, and
        add their folder to the JSON ``payload``."""
        err_console.print(f"recorded as run {run} in {store}", highlight=False)
        written = self.write(write)
        if written is not None:
            payload["out"] = str(written)
            err_console.print(f"{what} written to {written}", highlight=False)

    def notes(self, said: Sequence[str]) -> list[str]:
        """What the outputs are left as, unless the writer has ``said`` it already."""
        if self.target is None or any(str(self.target.path) in note for note in said):
            return []
        return [written_note(self.target.path, installed=self.done)]


@contextlib.contextmanager
def finishing(store: RunStore | None, target: OutputTarget | None) -> Iterator[Finish]:
    """Wrap the ensemble, the writing of its outputs and the report of a command: on Ctrl-C
    or SIGTERM the interruption's notes say what the outputs are left as and what became of
    the run (see the module's docstring)."""
    finish = Finish(target)
    try:
        yield finish
    except KeyboardInterrupt as interrupt:
        said = getattr(interrupt, "__notes__", [])
        for note in [*finish.notes(said), *_run_notes(store, finish, interrupt)]:
            interrupt.add_note(note)
        raise
    except ChannelsimError as error:
        # the outputs refused after the members ran (the folder written by another command
        # meanwhile, a full disk): the members are recorded; the line says how to get them
        if finish.started and not finish.done:
            for note in _run_notes(store, finish, error):
                error.add_note(note)
        raise


def _run_notes(store: RunStore | None, finish: Finish, stop: BaseException) -> list[str]:
    """How to finish the run recorded here, which ``stop`` (a Ctrl-C, SIGTERM or an error
    writing its outputs) left without them: marked interrupted, so that ``--resume`` (and
    ``--resume latest``) writes them from its recorded members without recomputing them."""
    run = None if store is None else store.last_run_driven_here()
    if run is None or run["status"] != "done":
        return []  # no run yet, or the ensemble said how far it got
    run_id = run["run_id"]
    if finish.done:
        return [f"run {run_id} is recorded in full"]
    todo = "write its outputs" if finish.target is not None else "finish it"
    if not isinstance(stop, KeyboardInterrupt) and finish.target is not None:
        todo += f" (to another {finish.target.option} folder, or to this one once it is free)"
    where = (
        f"run {run_id} has all {run['n_done']} members recorded; "
        f"resume it with --resume {run_id} to {todo}"
    )
    why = f"outputs not written: {stop}"
    if isinstance(stop, KeyboardInterrupt):
        why = stop_reason(stop)
    assert store is not None
    with contextlib.suppress(Exception):  # the store may be what failed: the line still says it
        store.end_run(run_id, "interrupted", f"{why}; {where}")
    return [where]
