"""The project file's vars and environments: names, values, and choosing an environment."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistctl.config.environments import TargetSettings, select_environment
from assistctl.config.project import load_project
from assistctl.errors import ManifestError, UsageError
from clihelpers import project_dir


def _config_errors(tmp_path: Path, text: str) -> list[tuple[int, str, str]]:
    root = project_dir(tmp_path, {"assistctl.yaml": text})
    with pytest.raises(ManifestError) as err:
        load_project([root])
    return [(d.line, d.path, d.message) for d in err.value.diagnostics]


def test_settings_of_an_environment_fall_back_on_the_project(tmp_path: Path) -> None:
    root = project_dir(
        tmp_path,
        {
            "assistctl.yaml": "project: s\nprovider: aimlapi\nvars: {a: 1, b: x}\n"
            "environments:\n  dev: {provider: local, vars: {a: 2}}\n"
            "  prod: {api_key_env: S_PROD_KEY, base_url_env: S_PROD_URL}\n"
        },
    )
    config, _ = load_project([root])
    assert config.settings("dev") == TargetSettings(provider="local", environment="dev")
    assert config.settings("prod") == TargetSettings(
        provider="aimlapi",
        environment="prod",
        api_key_env="S_PROD_KEY",
        base_url_env="S_PROD_URL",
    )
    assert config.settings(None) == TargetSettings(provider="aimlapi")
    assert config.variables("dev") == {"a": 2, "b": "x"}
    assert config.variables("prod") == {"a": 1, "b": "x"}
    assert config.substitutes


def test_a_project_without_vars_substitutes_nothing(tmp_path: Path) -> None:
    config, _ = load_project([project_dir(tmp_path, {"assistctl.yaml": "project: s\n"})])
    assert not config.substitutes and config.environments == {}
    empty, _ = load_project([project_dir(tmp_path / "e", {"assistctl.yaml": "vars: {}\n"})])
    assert empty.substitutes


@pytest.mark.parametrize(
    ("text", "line", "path", "fragment"),
    [
        (
            "environments:\n  prod: {api_key_env: GITHUB_TOKEN}\n",
            2,
            "environments.prod.api_key_env",
            "'GITHUB_TOKEN' is a variable the CI system or assistctl sets itself",
        ),
        (
            "environments:\n  prod: {base_url_env: CI_MERGE_REQUEST_TITLE}\n",
            2,
            "environments.prod.base_url_env",
            "the CI system or assistctl sets itself",
        ),
        (
            "environments:\n  prod: {api_key_env: ASSISTCTL_API_KEY}\n",
            2,
            "environments.prod.api_key_env",
            "sets itself",
        ),
        (
            "environments:\n  prod: {base_url_env: PROD_HOST}\n",
            2,
            "environments.prod.base_url_env",
            "its name must end in _URL or _ENDPOINT",
        ),
        (
            "environments:\n  prod: {api_key_env: PROD}\n",
            2,
            "environments.prod.api_key_env",
            "its name must end in _KEY or _TOKEN",
        ),
        (
            "environments:\n  prod: {api_key_env: 'sk-abc def'}\n",
            2,
            "environments.prod.api_key_env",
            "is not a valid name",
        ),
        (
            "environments:\n  prod: {provider: aimlpi}\n",
            2,
            "environments.prod.provider",
            "unknown provider 'aimlpi'; use one of openai, aimlapi, laplas, azure, local; did you "
            "mean 'aimlapi'?",
        ),
        ("environments:\n  prod/eu: {}\n", 2, "environments.prod/eu", "is not a valid name"),
        ("environments:\n  prod: {key: x}\n", 2, "environments.prod.key", "unknown field 'key'"),
        (
            "vars:\n  greeting: 'hi ${brand}'\n",
            2,
            "vars.greeting",
            "'${brand}' refers to a variable; a variable's value is data",
        ),
        ("vars:\n  nested: {a: [1, 'x ${']}\n", 2, "vars.nested.a.1", "is not closed"),
        # Refused as YAML first: a date to YAML 1.1, text to 1.2 (quote it).
        ("vars:\n  when: 2024-05-01\n", 2, "vars.when", "is a date in YAML 1.1"),
        ("vars:\n  1bad: x\n", 2, "vars.1bad", "is not a valid name"),
        (
            "environments:\n  dev:\n    vars: {m: '${x}'}\n",
            3,
            "environments.dev.vars.m",
            "refers to a variable",
        ),
    ],
)
def test_bad_environments_and_vars_are_diagnostics(
    tmp_path: Path, text: str, line: int, path: str, fragment: str
) -> None:
    [(got_line, got_path, message)] = _config_errors(tmp_path, text)
    assert (got_line, got_path) == (line, path)
    assert fragment in message


def test_select_environment() -> None:
    assert select_environment((), None, required=True) is None
    assert select_environment(("dev", "prod"), None, required=False) is None
    assert select_environment(("dev", "prod"), "prod", required=True) == "prod"
    with pytest.raises(UsageError, match=r"declares environments \(dev, prod\); choose one"):
        select_environment(("dev", "prod"), None, required=True)
    with pytest.raises(UsageError, match="Did you mean 'prod'"):
        select_environment(("dev", "prod"), "prd", required=True)
    with pytest.raises(UsageError, match="declares no environments"):
        select_environment((), "prod", required=False)
    with pytest.raises(UsageError, match="not a valid environment name"):
        select_environment(("dev",), "", required=True)
