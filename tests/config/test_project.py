"""The project file: discovery, validation, policy, and the API used by plan/apply."""

from __future__ import annotations

from pathlib import Path

import pytest

from assistctl.config.loader import load, load_or_raise
from assistctl.config.manifest import Manifest
from assistctl.config.project import (
    Policy,
    ProjectConfig,
    find_project_file,
    load_project,
    policy_violations,
)
from assistctl.config.providers import API_VERSIONS, PROVIDERS
from assistctl.errors import ManifestError

MANIFEST = "key: k\nmodel: gpt-4o\n"


def _tree(root: Path, files: dict[str, str]) -> Path:
    (root / ".git").mkdir(parents=True, exist_ok=True)  # the walk stops at the repository root
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def test_found_by_walking_up_and_never_read_as_a_manifest(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "assistctl.yaml": "project: team-a\napi_version: v2\n",
            "assistants/deep/er/one.yaml": MANIFEST,
        },
    )
    result = load([root / "assistants"])
    assert result.ok, result.diagnostics
    assert result.project.project == "team-a"
    assert result.project_file == root / "assistctl.yaml"
    assert [m.manifest.key for m in result.manifests] == ["k"]


def test_defaults_without_a_project_file(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"a/m.yaml": MANIFEST})
    result = load([root / "a"])
    assert result.project == ProjectConfig()
    assert result.project.project == "default" and result.project_file is None


def test_walk_stops_at_the_repository_root(tmp_path: Path) -> None:
    (tmp_path / "assistctl.yaml").write_text("project: outside\n")
    repo = _tree(tmp_path / "repo", {"assistants/m.yaml": MANIFEST})
    assert find_project_file(repo / "assistants") is None
    assert load([repo / "assistants"]).project.project == "default"


def test_project_file_inside_a_directory_argument(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"team/assistctl.yaml": "project: team\n", "team/m.yaml": MANIFEST})
    assert load([root]).project.project == "team"


def test_two_project_files_in_one_run(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "a/assistctl.yaml": "project: a\n",
            "a/m.yaml": MANIFEST,
            "b/assistctl.yaml": "project: b\n",
            "b/m.yaml": "key: other\nmodel: gpt-4o\n",
        },
    )
    [error] = load([root]).errors
    assert "2 different project files" in error.message


def test_invalid_project_file_is_reported_like_a_manifest(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "assistctl.yaml": "project: bad/name\npolicy:\n  max_temperature: high\n",
            "m.yaml": MANIFEST,
        },
    )
    errors = load([root / "m.yaml"]).errors
    assert [(Path(d.file).name, d.line, d.path) for d in errors] == [
        ("assistctl.yaml", 1, "project"),
        ("assistctl.yaml", 3, "policy.max_temperature"),
    ]


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("- project: a\n", "must be a mapping of settings"),
        ("project: a\n---\nproject: b\n", "exactly one YAML document"),
        ("base_url: api.example.com\n", "is not an http:// or https:// URL"),
        ("api_version: v3\n", "is not allowed; use 'v1' or 'v2'"),
        ("policy: {required_metadata: [assistctl]}\n", "ownership label"),
        ("policy: {allowed_models: []}\n", "has 0 items; at least 1 is needed"),
        ("policy: {max_instructions_chars: 0}\n", "must be at least 1"),
        ("policy: {max_instructions_chars: 256001}\n", "must be at most 256000"),
        ("project: a\nproject: b\n", "duplicate key 'project'"),
        ("policy:\n\tmax_temperature: 1\n", "does not allow tabs"),
    ],
)
def test_project_file_errors(tmp_path: Path, text: str, fragment: str) -> None:
    root = _tree(tmp_path, {"assistctl.yaml": text, "m.yaml": MANIFEST})
    errors = load([root]).errors
    assert errors and all(Path(d.file).name == "assistctl.yaml" for d in errors)
    assert any(fragment in d.message for d in errors), errors


def test_empty_project_file_means_defaults(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"assistctl.yaml": "# nothing yet\n", "m.yaml": MANIFEST})
    result = load([root])
    assert result.ok and result.project == ProjectConfig()


def test_project_file_named_explicitly_is_checked_not_loaded_as_manifest(tmp_path: Path) -> None:
    # pre-commit passes only the changed files; a change to assistctl.yaml alone is valid.
    root = _tree(tmp_path, {"assistctl.yaml": "project: p\n"})
    result = load([root / "assistctl.yaml"])
    assert result.ok and result.manifests == [] and result.project.project == "p"
    root.joinpath("assistctl.yaml").write_text("projekt: p\n")
    assert "did you mean 'project'" in load([root / "assistctl.yaml"]).errors[0].message


def test_load_project_for_plan_and_apply(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"assistctl.yaml": "project: p\nprovider: local\n", "m.yaml": MANIFEST})
    config, path = load_project([root / "m.yaml"])
    assert (config.project, config.provider, path) == ("p", "local", root / "assistctl.yaml")
    assert load_project([root]) == (config, path)
    root.joinpath("assistctl.yaml").write_text("provider: nowhere\n")
    with pytest.raises(ManifestError) as info:
        load_project([root])
    assert info.value.diagnostics[0].path == "provider"


@pytest.mark.parametrize(
    ("field", "value"),
    [*[("provider", p) for p in PROVIDERS], *[("api_version", v) for v in API_VERSIONS]],
)
def test_the_project_file_accepts_every_preset_and_dialect(
    tmp_path: Path, field: str, value: str
) -> None:
    # The project file's model takes its provider names from config/providers.py.
    root = _tree(tmp_path, {"assistctl.yaml": f"{field}: {value}\n"})
    assert getattr(load_project([root])[0], field) == value


def test_api_version_v1_from_project_file_allows_v1_fields(tmp_path: Path) -> None:
    v1 = "key: k\nmodel: gpt-4\nfile_ids: [f]\ntools: [{type: retrieval}]\n"
    root = _tree(tmp_path, {"m.yaml": v1})
    assert len(load([root]).errors) == 2
    assert load([root], api_version="v1").ok
    root.joinpath("assistctl.yaml").write_text("api_version: v1\n")
    assert load([root]).ok
    assert len(load([root], api_version="v2").errors) == 2  # the flag wins


def test_load_or_raise(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"m.yaml": MANIFEST, "n.yaml": "key: nn\nmodel: gpt-4o\ncolour: 1\n"})
    with pytest.raises(ManifestError) as info:
        load_or_raise([root])
    assert [d.path for d in info.value.diagnostics] == ["colour"]
    assert "nothing was changed" in str(info.value)
    root.joinpath("n.yaml").unlink()
    assert [m.manifest.key for m in load_or_raise([root]).manifests] == ["k"]


def _m(**fields: object) -> Manifest:
    return Manifest.model_validate({"key": "k", "model": "gpt-4o", **fields})


def test_policy_allowed_models_are_case_sensitive_globs() -> None:
    policy = Policy(allowed_models=["gpt-4o*", "o3-mini"])
    assert policy_violations(_m(model="gpt-4o"), policy) == []
    assert policy_violations(_m(model="gpt-4o-mini-2024"), policy) == []
    assert policy_violations(_m(model="o3-mini"), policy) == []
    for model in ("o3-mini-high", "GPT-4o", "gpt-4"):
        [(path, message)] = policy_violations(_m(model=model), policy)
        assert path == ("model",) and f"'{model}' is not allowed" in message


def test_policy_required_metadata_needs_a_non_empty_value() -> None:
    policy = Policy(required_metadata=["team", "owner"])
    assert policy_violations(_m(metadata={"team": "a", "owner": "b"}), policy) == []
    got = policy_violations(_m(metadata={"team": "", "x": "y"}), policy)
    assert [path for path, _ in got] == [("metadata", "team"), ("metadata", "owner")]


def test_policy_max_temperature_boundary() -> None:
    policy = Policy(max_temperature=0.7)
    assert policy_violations(_m(temperature=0.7), policy) == []
    assert policy_violations(_m(temperature=0.71), policy)
    # Unset means the server default 1.0, which this policy does not allow ...
    assert "server default 1.0" in policy_violations(_m(), policy)[0][1]
    # ... but one that allows 1.0 accepts it.
    assert policy_violations(_m(), Policy(max_temperature=1.0)) == []


def test_policy_max_instructions_boundary() -> None:
    policy = Policy(max_instructions_chars=10)
    assert policy_violations(_m(instructions="x" * 10), policy) == []
    [(path, _)] = policy_violations(_m(instructions="x" * 11), policy)
    assert path == ("instructions",)
    resolved = _m(instructions_file="p.md").model_copy(update={"instructions": "x" * 11})
    assert policy_violations(resolved, policy)[0][0] == ("instructions_file",)


def test_policy_instructions_file_checked_after_reading(tmp_path: Path) -> None:
    root = _tree(
        tmp_path,
        {
            "assistctl.yaml": "policy: {max_instructions_chars: 5}\n",
            "m.yaml": "key: k\nmodel: gpt-4o\ninstructions_file: p.md\n",
            "p.md": "123456",
        },
    )
    [error] = load([root]).errors
    assert (error.line, error.path) == (3, "instructions_file")


def test_misnamed_project_file(tmp_path: Path) -> None:
    root = _tree(tmp_path, {"assistctl.yml": "project: p\n", "m.yaml": MANIFEST})
    [error] = load([root]).errors
    assert error.message == "a project file must be named assistctl.yaml, not assistctl.yml"
