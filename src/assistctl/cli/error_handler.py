"""The one top-level handler: every failure becomes one sentence on stderr and an exit code.

Modelled on pre-commit's ``error_handler``: expected errors (:class:`AssistctlError`, click's
usage errors) print their message; Ctrl-C exits 130; anything else is a bug, reported as one
sentence plus a hint to rerun with ``-v`` (which shows the traceback).
"""

from __future__ import annotations

import sys
import traceback
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import NoReturn

import click

from assistctl.cli import process
from assistctl.errors import AssistctlError, Interrupted, ManifestError

EXIT_OK = 0
EXIT_ERROR = 1
EXIT_CHANGES = 2
EXIT_INTERRUPTED = 130
INTERRUPTED = "assistctl: interrupted (Ctrl-C); stopped at once, nothing more was sent."
"""What Ctrl-C ends a command with, unless the command says more (apply names what was not
started and what is unknown); a second Ctrl-C ends it at once (:mod:`assistctl.cli.interrupt`)."""


class _State:
    verbose = False


state = _State()


def _say(message: str) -> None:
    click.echo(f"assistctl: error: {message}", err=True)


@contextmanager
def _report() -> Iterator[None]:
    try:
        yield
    except ManifestError as err:
        for diag in err.diagnostics:
            click.echo(diag.format(), err=True)
        _say(str(err))
        raise SystemExit(err.exit_code) from None
    except Interrupted as err:
        if state.verbose:
            traceback.print_exc()
        click.echo(f"assistctl: {err}", err=True)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except AssistctlError as err:
        if state.verbose:
            traceback.print_exc()
        _say(str(err))
        raise SystemExit(err.exit_code) from None
    except click.exceptions.Abort:
        # click's name for a KeyboardInterrupt it caught: said as ours, not "Aborted!".
        click.echo(INTERRUPTED, err=True)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except click.ClickException as err:
        # click's usage errors exit 2 by default, but 2 means "changes" for plan and drift.
        # The usage line stays as a hint; the error itself reads like every other one.
        if isinstance(err, click.UsageError) and err.ctx is not None:
            ctx = err.ctx
            click.echo(ctx.get_usage(), err=True)
            click.echo(f"Try '{ctx.command_path} {ctx.help_option_names[0]}' for help.", err=True)
        _say(err.format_message())
        raise SystemExit(EXIT_ERROR) from None
    except KeyboardInterrupt:
        click.echo(INTERRUPTED, err=True)
        raise SystemExit(EXIT_INTERRUPTED) from None
    except BrokenPipeError:
        # Output piped into `head`: not an error of ours; stay quiet.
        sys.stderr.close()
        raise SystemExit(EXIT_ERROR) from None
    except (SystemExit, click.exceptions.Exit):
        raise
    except Exception as err:  # the last line of defence
        if state.verbose:
            traceback.print_exc()
        _say(
            f"internal error: {type(err).__name__}: {err} "
            "(this is a bug in assistctl; rerun with -v for the traceback and report it)"
        )
        raise SystemExit(EXIT_ERROR) from None


def run_and_exit(entry: Callable[[], object]) -> NoReturn:
    """:func:`run`, then end the process with its exit code (:func:`process.end`: output
    flushed, no interpreter teardown unless ``ASSISTCTL_NO_FAST_PATHS`` is set)."""
    try:
        run(entry)
        code: object = EXIT_OK
    except SystemExit as done:
        code = done.code
    if code is None:
        code = EXIT_OK
    elif not isinstance(code, int):
        # As the interpreter does with `sys.exit("message")`.
        print(code, file=sys.stderr)
        code = EXIT_ERROR
    process.end(code)


def run(entry: Callable[[], object]) -> None:
    """Run ``entry`` (click in non-standalone mode); its int result is the exit code."""
    code: object = EXIT_OK
    with _report():
        code = entry()
    raise SystemExit(code if isinstance(code, int) else EXIT_OK)
