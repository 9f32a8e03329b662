"""``--format json``: one document per run, written when the run ends, failures included.

A command runs inside :func:`json_run`. It puts its result in ``run.body`` as it gets it;
when it ends, successfully or by an exception, the document (``output/jsonout``'s envelope:
the body, ``format_version``, ``command``, ``errors``) is written once, and the exception
goes on to the error handler, which prints its sentence on stderr and sets the exit code as
for every other format. Sentences for people go to stderr meanwhile (:meth:`JsonRun.say`), so
stdout holds the document alone. With any other format, :func:`json_run` does nothing.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

import click

from assistctl.output.jsonout import document, dumps, error_items


class JsonRun:
    """The document of one run, filled in by the command."""

    def __init__(self, command: str, enabled: bool, out: str | None) -> None:
        self.command = command
        self.enabled = enabled
        self.out = out
        self.body: Mapping[str, Any] | None = None
        self.errors: list[dict[str, Any]] | None = None
        """Set by a command that words its own failures (validate's diagnostics, apply's
        failed changes); otherwise the exception that ends the run says it."""

    @property
    def stream(self) -> TextIO:
        """Where text for people goes: stdout, or stderr when stdout holds the document."""
        return sys.stderr if self.enabled else sys.stdout

    def say(self, text: str) -> None:
        """A result for people, on :attr:`stream`. Any colour in ``text`` was decided for
        that stream already (``output.console.use_color``), so click must not strip it."""
        click.echo(text, err=self.enabled, color=True)

    def _write(self, errors: list[dict[str, Any]]) -> None:
        from assistctl.cli.commands._shared import write_output

        write_output(dumps(document(self.command, self.body, errors)), self.out)


@contextmanager
def json_run(command: str, fmt: str, *, out: str | None = None) -> Iterator[JsonRun]:
    """Run a command's body; with ``fmt == "json"`` write its one document to ``out`` (stdout
    when None) at the end, whatever happens."""
    run = JsonRun(command, fmt == "json", out)
    if not run.enabled:
        yield run
        return
    try:
        yield run
    except (Exception, KeyboardInterrupt) as err:
        run._write(run.errors if run.errors is not None else error_items(err))
        raise
    run._write(run.errors or [])
