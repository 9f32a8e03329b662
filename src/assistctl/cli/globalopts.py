"""Global options before or after the command, kubectl-style, and help that shows them.

Every field of :class:`~assistctl.options.GlobalOptions` becomes a click option of the group
(``assistctl -q plan DIR``) and of every command (``assistctl plan DIR -q``), from the one
declaration in ``options.py``. The group's copy also reads the option's environment
variable; a value given after the command wins over one given before it or by the variable,
as the last word does in kubectl.

:class:`Command` is the click command class of every ``assistctl`` command: it adds the global
options, merges them into the group's :class:`GlobalOptions` before the callback runs, lists
them in their own help section and ends the help with the command's examples.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import click
from click.core import ParameterSource

from assistctl.cli import choices, error_handler
from assistctl.options import Flag, GlobalOptions
from assistctl.output.console import configure_logging

GLOBAL_SECTION = "Global options (before or after the command)"
FIELDS = tuple(f for f in dataclasses.fields(GlobalOptions))
NAMES = frozenset(f.name for f in FIELDS)


def _click_type(spec: Flag, annotation: object) -> Any:
    kind = str(annotation)
    if spec.choices is not None:
        names = spec.choices
        return click.Choice(getattr(choices, names) if isinstance(names, str) else names)
    if spec.file:
        return click.Path(dir_okay=False)
    if kind.startswith("int"):
        return click.IntRange(*spec.bounds) if spec.bounds else int  # type: ignore[arg-type]
    if kind.startswith("float"):
        return click.FloatRange(*spec.bounds) if spec.bounds else float
    return str


def _option(field: dataclasses.Field[Any], *, with_env: bool) -> click.Option:
    spec: Flag = field.metadata["flag"]
    decls = [field.name, *spec.names]
    if field.type == "bool":
        return click.Option(decls, is_flag=True, default=False, help=spec.help)
    return click.Option(
        decls,
        type=_click_type(spec, field.type),
        default=None,
        metavar=spec.metavar,
        envvar=spec.envvar if with_env else None,
        help=spec.help,
    )


def global_params(*, with_env: bool) -> list[click.Parameter]:
    """One click option per :class:`GlobalOptions` field (a fresh copy for each command)."""
    return [_option(f, with_env=with_env) for f in FIELDS]


def _write_global_help(ctx: click.Context, formatter: click.HelpFormatter, own_title: str) -> None:
    own: list[tuple[str, str]] = []
    shared: list[tuple[str, str]] = []
    for param in ctx.command.get_params(ctx):
        record = param.get_help_record(ctx)
        if record is not None and not isinstance(param, click.Argument):
            (shared if param.name in NAMES else own).append(record)
    if own:
        with formatter.section(own_title):
            formatter.write_dl(own)
    if shared:
        with formatter.section(GLOBAL_SECTION):
            formatter.write_dl(shared)


def _write_examples(formatter: click.HelpFormatter, examples: Sequence[str]) -> None:
    if not examples:
        return
    with formatter.section("Examples"):
        for line in examples:
            # Verbatim: click would rewrap them as prose.
            formatter.write(f"{'':>{formatter.current_indent}}{line}\n")


def merged(parent: GlobalOptions, given: dict[str, Any], ctx: click.Context) -> GlobalOptions:
    """``parent`` (the options before the command) with those given after it replacing."""
    after = {
        name: value
        for name, value in given.items()
        if ctx.get_parameter_source(name) == ParameterSource.COMMANDLINE
    }
    return dataclasses.replace(parent, **after) if after else parent


def activate(g: GlobalOptions) -> None:
    """What the options change for the whole process: tracebacks, the HTTP log."""
    error_handler.state.verbose = g.verbose
    configure_logging(g.verbose)


class Command(click.Command):
    """An ``assistctl`` command: its own options, the global ones, and examples in its help."""

    def __init__(self, *args: Any, examples: Sequence[str] = (), **kwargs: Any) -> None:
        kwargs.setdefault("context_settings", {"help_option_names": ["-h", "--help"]})
        super().__init__(*args, **kwargs)
        self.params.extend(global_params(with_env=False))
        self.examples = tuple(examples)

    def invoke(self, ctx: click.Context) -> Any:
        given = {name: ctx.params.pop(name) for name in NAMES if name in ctx.params}
        parent = ctx.find_root().obj
        if not isinstance(parent, GlobalOptions):  # invoked on its own, without the group
            parent = GlobalOptions()
        ctx.obj = merged(parent, given, ctx)
        activate(ctx.obj)
        return super().invoke(ctx)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _write_global_help(ctx, formatter, "Options")

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        _write_examples(formatter, self.examples)


class Group(click.Group):
    """The ``assistctl`` group: global options, bare ``assistctl`` prints the help (exit 0)."""

    command_class = Command

    def __init__(self, *args: Any, examples: Sequence[str] = (), **kwargs: Any) -> None:
        kwargs["invoke_without_command"] = True
        super().__init__(*args, **kwargs)
        self.params.extend(global_params(with_env=True))
        self.examples = tuple(examples)

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        _write_global_help(ctx, formatter, "Options")
        self.format_commands(ctx, formatter)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        super().format_epilog(ctx, formatter)
        _write_examples(formatter, self.examples)
