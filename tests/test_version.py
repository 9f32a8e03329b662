"""The version has one source, pyproject.toml; everything else reads it from there."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version

import assistctl
from clihelpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_the_package_reports_the_version_in_pyproject() -> None:
    declared = PYPROJECT["project"]["version"]
    assert version("assistctl") == declared, (
        f"the installed metadata says {version('assistctl')}, pyproject.toml {declared}: "
        "reinstall (pip install -e .) after changing the version"
    )
    assert assistctl.__version__ == declared


def test_no_other_file_of_the_package_spells_it() -> None:
    literal = re.compile(r"__version__\s*=\s*['\"]")
    assert not [p for p in (ROOT / "src").rglob("*.py") if literal.search(p.read_text())]
    assert "version" not in PYPROJECT["project"].get("dynamic", [])


def test_version_flag_in_a_fresh_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistctl", "--version"], capture_output=True, text=True
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"assistctl, version {PYPROJECT['project']['version']}\n",
        "",
    )
