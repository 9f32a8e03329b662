"""Asking ``yes`` before changing live assistants: apply and import ask alike.

As Terraform: only an exact ``yes`` goes on, ``--auto-approve`` skips the question, and with
no terminal to ask on (CI, a pipe into stdin) the command refuses rather than guess.
"""

from __future__ import annotations

import sys

import click

from assistctl.errors import UsageError
from assistctl.options import GlobalOptions
from assistctl.output.console import use_color


def confirmed(
    g: GlobalOptions,
    auto_approve: bool,
    *,
    refusal: str,
    warning: str | None = None,
) -> bool:
    """True to go on. ``refusal``: the sentence when no terminal can answer; ``warning``:
    said loudly (red) before the question."""
    if auto_approve:
        return True
    # Only stdin must be a terminal, so `apply | tee log` can still confirm.
    if not sys.stdin.isatty():
        raise UsageError(refusal)
    if warning is not None:
        click.secho(warning, fg="red", bold=True, err=True, color=use_color(g, sys.stderr))
    # Not click.prompt: it turns end of input (Ctrl-D) into the same Abort as Ctrl-C. End of
    # input is an answer other than 'yes' (exit 1); Ctrl-C stays an interrupt (exit 130).
    click.echo(
        "Do you want to perform these actions? Only 'yes' will be accepted: ", nl=False, err=True
    )
    try:
        answer = input()
    except EOFError:
        click.echo(err=True)
        return False
    return answer.strip() == "yes"
