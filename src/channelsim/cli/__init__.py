"""The ``channelsim`` command line.

Each command family lives in its own module and adds itself to the app through
``register(app)``; this module only assembles them and turns user errors into one line.
"""

from __future__ import annotations

import sys

import typer

from channelsim import __version__
from channelsim.cli import (
    calibrate_cmd,
    claims_cmd,
    compare_cmd,
    data_cmd,
    report_cmd,
    run_cmd,
    runs_cmd,
    sensitivity_cmd,
)
from channelsim.cli.output import err_console, print_error
from channelsim.errors import ChannelsimError

app = typer.Typer(
    name="channelsim",
    help="Simulate small-boat crossings of the English Channel and the policies meant to "
    "stop them, and test public claims against the Home Office data.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"channelsim {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", help="Print the version and exit.", callback=_version, is_eager=True
    ),
) -> None:
    """channelsim command line."""


for _module in (
    data_cmd,
    claims_cmd,
    run_cmd,
    compare_cmd,
    calibrate_cmd,
    sensitivity_cmd,
    runs_cmd,
    report_cmd,
):
    _module.register(app)


def main() -> None:
    """Entry point: run the app; a ChannelsimError becomes one line on stderr and exit 2."""
    try:
        code = app(standalone_mode=False)
    except ChannelsimError as error:
        print_error(error)
        sys.exit(error.exit_code)
    except KeyboardInterrupt:
        err_console.print("interrupted", highlight=False)
        sys.exit(130)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        sys.exit(1)
    except typer.TyperException as error:  # usage errors (typer's own click) show themselves
        show = getattr(error, "show", None)
        if show is None:
            raise
        show()
        sys.exit(getattr(error, "exit_code", 2))
    # Without standalone mode, typer returns (rather than raises) the code of an Exit,
    # including the 130 it makes of Ctrl-C.
    if isinstance(code, int) and code != 0:
        if code == 130:
            err_console.print("interrupted", highlight=False)
        sys.exit(code)
