"""Plain option objects: click parses flags into these and hands them to one ``execute()``.

Keeping options as frozen dataclasses keeps ``cli/main.py`` free of logic and lets tests and
other commands build options without click.

A global option is declared once, as a field of :class:`GlobalOptions` made with
:func:`option` or :func:`switch`: its flag names, help and environment variable are data
here, and :mod:`assistctl.cli.globalopts` turns every field into a click option accepted
before the command and after it (``assistctl -q plan DIR`` and ``assistctl plan DIR -q``).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from assistctl.errors import UsageError

COLOR_MODES = ("auto", "always", "never")


@dataclass(frozen=True)
class Flag:
    """How one global option is spelled on the command line (data; no click here)."""

    names: tuple[str, ...]
    help: str
    envvar: str | None = None
    """Read by the option before the command (the variable is the same option, once)."""
    metavar: str | None = None
    choices: tuple[str, ...] | str | None = None
    """The values allowed, or the name of a tuple in :mod:`assistctl.cli.choices`."""
    bounds: tuple[float, float] | None = None
    """Inclusive range of a number."""
    file: bool = False
    """A file path (completed as one by the shell)."""


def option(*names: str, help: str, **spec: Any) -> Any:
    """A global option taking a value; ``None`` when not given."""
    return field(default=None, metadata={"flag": Flag(names, help, **spec)})


def switch(*names: str, help: str) -> Any:
    """A global on/off flag."""
    return field(default=False, metadata={"flag": Flag(names, help)})


@dataclass(frozen=True)
class GlobalOptions:
    """Flags every command accepts. ``None`` means "not given": env and project file decide."""

    base_url: str | None = option(
        "--base-url",
        metavar="URL",
        envvar="ASSISTCTL_BASE_URL",
        help="API base URL (env ASSISTCTL_BASE_URL, then OPENAI_BASE_URL).",
    )
    api_key: str | None = option(
        "--api-key",
        metavar="KEY",
        envvar="ASSISTCTL_API_KEY",
        help="API key (env ASSISTCTL_API_KEY, then OPENAI_API_KEY). Never printed.",
    )
    api_key_file: str | None = option(
        "--api-key-file",
        metavar="PATH|-",
        help="Read the API key from PATH ('-': standard input), e.g. a mounted secret.",
    )
    provider: str | None = option(
        "--provider", choices="PROVIDERS", envvar="ASSISTCTL_PROVIDER", help="Host preset."
    )
    api_version: str | None = option(
        "--api-version", choices="API_VERSIONS", help="Assistants API dialect (default v2)."
    )
    project: str | None = option(
        "--project",
        metavar="NAME",
        envvar="ASSISTCTL_PROJECT",
        help="Project name: the ownership scope (env ASSISTCTL_PROJECT; default from "
        "assistctl.yaml, else 'default').",
    )
    env: str | None = option(
        "--env",
        metavar="NAME",
        envvar="ASSISTCTL_ENV",
        help="Environment of assistctl.yaml to act on (env ASSISTCTL_ENV); validate checks "
        "every environment without it.",
    )
    local_state: str | None = option(
        "--local-state",
        envvar="ASSISTCTL_LOCAL_STATE",
        file=True,
        help="State file of --provider local (default .assistctl/local-state.json).",
    )
    max_retries: int | None = option(
        "--max-retries",
        bounds=(0, 20),
        help="Attempts after the first for retryable errors (default 5).",
    )
    timeout: float | None = option(
        "--timeout", bounds=(0.1, 3600), help="Read timeout in seconds (default 60)."
    )
    deadline: float | None = option(
        "--deadline",
        metavar="SECONDS",
        envvar="ASSISTCTL_DEADLINE",
        bounds=(0.1, 7 * 86400),
        help="Most seconds a command waits for the host in all, retries included "
        "(env ASSISTCTL_DEADLINE; default 300, apply 900 without the time at its prompt).",
    )
    """Seconds the command may spend waiting for its host in all (None: the command's
    default, see :mod:`assistctl.api.deadline`)."""
    verbose: bool = switch("-v", "--verbose", help="More detail; tracebacks on errors.")
    quiet: bool = switch("-q", "--quiet", help="Only errors and the final result.")
    color: str | None = option(
        "--color",
        choices=COLOR_MODES,
        help="ANSI colours: auto (a terminal, unless NO_COLOR; FORCE_COLOR forces), always, never.",
    )
    no_color: bool = switch("--no-color", help="Same as --color never.")

    def __post_init__(self) -> None:
        if self.no_color and self.color not in (None, "never"):
            raise UsageError(
                f"--no-color and --color {self.color} contradict each other; keep one."
            )
