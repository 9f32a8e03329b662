"""The command line offers exactly the names its registries hold, without importing them.

``assistctl.cli.choices`` copies each registry's names so that ``cli/main.py`` declares its
options cheaply; these tests keep every copy equal to its registry, in order (the order
``--help`` shows), and check that the options really offer them.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterable

import click
import pytest

from assistctl.cli import choices
from assistctl.cli.main import cli
from assistctl.config.providers import API_VERSIONS, PROVIDERS
from assistctl.emulator.flavors import FLAVORS
from assistctl.output.idmap import IDMAP_BY_NAME
from assistctl.output.jsonout import RESULT_FORMATS
from assistctl.output.providers import LISTING_BY_NAME
from assistctl.output.render import RENDERER_BY_NAME
from assistctl.output.reporters import REPORTER_BY_NAME
from clihelpers import run

REGISTRIES: dict[str, Iterable[str]] = {
    "PLAN_FORMATS": RENDERER_BY_NAME,
    "VALIDATE_FORMATS": REPORTER_BY_NAME,
    "PROVIDERS_FORMATS": LISTING_BY_NAME,
    "OUTPUT_FORMATS": IDMAP_BY_NAME,
    "RESULT_FORMATS": RESULT_FORMATS,
    "PROVIDERS": PROVIDERS,
    "API_VERSIONS": API_VERSIONS,
    "EMULATOR_FLAVORS": FLAVORS,
}

OPTIONS = [
    ("PLAN_FORMATS", "plan", "fmt"),
    ("PLAN_FORMATS", "drift", "fmt"),
    ("VALIDATE_FORMATS", "validate", "fmt"),
    ("PROVIDERS_FORMATS", "providers", "fmt"),
    ("OUTPUT_FORMATS", "output", "fmt"),
    ("RESULT_FORMATS", "apply", "fmt"),
    ("RESULT_FORMATS", "import", "fmt"),
    ("RESULT_FORMATS", "export", "fmt"),
    ("PROVIDERS", None, "provider"),
    ("API_VERSIONS", None, "api_version"),
    ("EMULATOR_FLAVORS", "emulator", "flavor"),
]


@pytest.mark.parametrize("name", sorted(REGISTRIES))
def test_each_choice_list_copies_its_registry(name: str) -> None:
    registry = tuple(REGISTRIES[name])
    assert getattr(choices, name) == registry, (
        f"assistctl.cli.choices.{name} must list {registry}, in this order"
    )


@pytest.mark.parametrize(("name", "command", "param"), OPTIONS)
def test_each_option_offers_its_choice_list(name: str, command: str | None, param: str) -> None:
    owner = cli if command is None else cli.commands[command]
    [option] = [p for p in owner.params if p.name == param]
    assert isinstance(option.type, click.Choice)
    assert tuple(option.type.choices) == getattr(choices, name)


def test_every_choice_list_is_checked() -> None:
    public = {n for n in vars(choices) if n.isupper()}
    assert public == set(REGISTRIES) == {name for name, _, _ in OPTIONS}


def test_an_unknown_format_is_refused_with_the_registry_names() -> None:
    r = run("plan", "--format", "yaml", ".")
    assert r.code == 1 and "'text', 'json', 'markdown'" in r.err, r.text


def test_the_entry_point_imports_no_registry() -> None:
    code = (
        "import sys, assistctl.cli.main; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('pydantic', 'yaml') "
        "or m.startswith(('assistctl.config', 'assistctl.output.render', 'assistctl.emulator'))))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
