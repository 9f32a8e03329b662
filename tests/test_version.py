"""The version has one source, ``assistctl.__version__``; pyproject.toml reads it from there."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from importlib.metadata import version

import assistctl
from clihelpers import ROOT

PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))


def test_pyproject_takes_the_version_from_the_package() -> None:
    assert "version" not in PYPROJECT["project"]
    assert "version" in PYPROJECT["project"]["dynamic"]
    assert PYPROJECT["tool"]["setuptools"]["dynamic"]["version"] == {
        "attr": "assistctl.__version__"
    }


def test_the_installed_metadata_agrees() -> None:
    assert version("assistctl") == assistctl.__version__, (
        f"the installed metadata says {version('assistctl')}, the package "
        f"{assistctl.__version__}: reinstall (pip install -e .) after changing the version"
    )


def test_no_other_file_of_the_package_spells_it() -> None:
    literal = re.compile(r"__version__\s*=\s*['\"]")
    spelled = [p for p in (ROOT / "src").rglob("*.py") if literal.search(p.read_text())]
    assert spelled == [ROOT / "src" / "assistctl" / "__init__.py"]


def test_version_flag_in_a_fresh_process() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "assistctl", "--version"], capture_output=True, text=True
    )
    assert (result.returncode, result.stdout, result.stderr) == (
        0,
        f"assistctl, version {assistctl.__version__}\n",
        "",
    )
