"""Colour: ``--color``, ``NO_COLOR`` (no-color.org), ``FORCE_COLOR`` (force-color.org),
``TERM=dumb``; precedence flag > NO_COLOR > FORCE_COLOR > TERM=dumb > terminal detection."""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from assistctl.options import GlobalOptions
from assistctl.output.console import use_color
from clihelpers import project_dir, run

ANSI = "\x1b["


class Terminal(io.StringIO):
    """A stream that says it is a terminal."""

    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    ("flag", "env", "tty", "expected"),
    [
        (None, {}, True, True),
        (None, {}, False, False),
        (None, {"TERM": "dumb"}, True, False),
        (None, {"NO_COLOR": "1"}, True, False),
        (None, {"NO_COLOR": ""}, True, True),  # empty counts as unset (no-color.org)
        (None, {"FORCE_COLOR": "1"}, False, True),
        (None, {"FORCE_COLOR": "0"}, False, True),  # any non-empty value (force-color.org)
        (None, {"FORCE_COLOR": ""}, False, False),
        (None, {"FORCE_COLOR": "1", "TERM": "dumb"}, True, True),
        (None, {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False, False),
        ("always", {"NO_COLOR": "1"}, False, True),
        ("always", {"TERM": "dumb"}, False, True),
        ("never", {"FORCE_COLOR": "1"}, True, False),
        ("auto", {}, True, True),
        ("auto", {"FORCE_COLOR": "1"}, False, True),
    ],
)
def test_precedence(flag: str | None, env: dict[str, str], tty: bool, expected: bool) -> None:
    stream = Terminal() if tty else io.StringIO()
    assert use_color(GlobalOptions(color=flag), stream, env) is expected


def test_no_color_flag_is_color_never() -> None:
    assert not use_color(GlobalOptions(no_color=True), Terminal(), {"FORCE_COLOR": "1"})


@pytest.fixture
def plan_args(tmp_path: Path) -> list[str]:
    root = project_dir(tmp_path / "p", {"a.yaml": "key: a\nmodel: gpt-4o\n"})
    state = tmp_path / "state.json"
    return ["plan", str(root), "--provider", "local", "--local-state", str(state)]


@pytest.mark.parametrize(
    ("flags", "env", "coloured"),
    [
        ([], {}, False),  # not a terminal
        (["--color", "always"], {}, True),
        (["--color", "always"], {"NO_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1"}, True),
        ([], {"FORCE_COLOR": "1", "NO_COLOR": "1"}, False),
        (["--color", "never"], {"FORCE_COLOR": "1"}, False),
        (["--no-color"], {"FORCE_COLOR": "1"}, False),
    ],
)
def test_through_the_cli(
    plan_args: list[str], flags: list[str], env: dict[str, str], coloured: bool
) -> None:
    r = run(*plan_args, *flags, env=env)
    assert r.code == 0, r.err
    assert (ANSI in r.out) is coloured
    assert "Plan: 1 to create" in r.out


def test_color_before_the_command_too(plan_args: list[str]) -> None:
    assert ANSI in run("--color", "always", *plan_args).out


def test_json_is_never_coloured(plan_args: list[str]) -> None:
    r = run(*plan_args, "--format", "json", "--color", "always")
    assert r.code == 0 and ANSI not in r.out
