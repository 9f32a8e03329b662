"""Substitution never produces a value the plain manifest model would reject without a
diagnostic (hypothesis).

Random variables (text, numbers, booleans, null, lists, mappings) with different values in
two environments, and a manifest referring to them as whole values and inside text, go
through the real loader from files. An oracle written here, independently of
``config/variables.py``, substitutes the same manifest and asks the plain ``Manifest``
model: wherever the model rejects the result (or the oracle finds a value that has no text
form), the loader reports an error in that environment; wherever the model accepts it, the
loader returns exactly that manifest.
"""

from __future__ import annotations

import math
import tempfile
from pathlib import Path
from typing import Any

import yaml
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from assistctl.config.loader import load
from assistctl.config.manifest import Manifest
from assistctl.config.project import load_project

ENVIRONMENTS = ("dev", "prod")
NAMES = ("a", "b", "c", "d")

_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs", "Cc"), blacklist_characters="${}"),
    max_size=300,
)
_scalar = st.one_of(
    _text,
    st.integers(min_value=-5, max_value=600),
    st.floats(min_value=-1, max_value=3, allow_nan=False),
    st.booleans(),
    st.none(),
    st.sampled_from(["gpt-4o", "low", "auto", "high"]),
)
_value = st.one_of(
    _scalar,
    st.lists(st.sampled_from(["vs_1", "vs_2", "file-1"]), max_size=3),
    st.dictionaries(st.sampled_from(["team", "tier"]), _text, max_size=2),
)
_affix = st.text(alphabet="abc .-:", max_size=5)

FIELDS = (
    "model",
    "name",
    "description",
    "instructions",
    "temperature",
    "top_p",
    "reasoning_effort",
    "metadata",
    "response_format",
    "tools",
)


@st.composite
def _reference(draw: st.DrawFn) -> tuple[str, str, str] | str:
    """A whole-value reference (``"a"``) or text around one (``("x ", "a", "!")``)."""
    name = draw(st.sampled_from(NAMES))
    if draw(st.booleans()):
        return name
    return draw(_affix), name, draw(_affix)


def _written(ref: tuple[str, str, str] | str) -> str:
    return f"${{{ref}}}" if isinstance(ref, str) else f"{ref[0]}${{{ref[1]}}}{ref[2]}"


def _as_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float | str):
        return str(value)
    return None


class _NoText(Exception):
    """The oracle's verdict: this value cannot stand inside text."""


def _oracle(ref: tuple[str, str, str] | str, variables: dict[str, Any]) -> Any:
    if isinstance(ref, str):
        return variables[ref]
    if not ref[0] and not ref[2]:
        return variables[ref[1]]  # nothing around it: a whole value, quoted or not
    shown = _as_text(variables[ref[1]])
    if shown is None:
        raise _NoText
    return ref[0] + shown + ref[2]


def _plain_model_accepts(manifest: dict[str, Any]) -> Manifest | None:
    try:
        return Manifest.model_validate(manifest)
    except ValidationError:
        return None


@settings(max_examples=60, deadline=None)
@given(
    dev=st.fixed_dictionaries({n: _value for n in NAMES}),
    prod=st.fixed_dictionaries({n: _value for n in NAMES}),
    refs=st.dictionaries(st.sampled_from(FIELDS), _reference(), min_size=1, max_size=5),
)
def test_substitution_never_yields_an_invalid_manifest_silently(
    dev: dict[str, Any], prod: dict[str, Any], refs: dict[str, Any]
) -> None:
    project = {
        "project": "p",
        "environments": {"dev": {"vars": dev}, "prod": {"vars": prod}},
    }
    manifest: dict[str, Any] = {"key": "bot", "model": "gpt-4o"}
    for field, ref in refs.items():
        value = _written(ref)
        manifest[field] = {"team": value} if field == "metadata" else value
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        (root / "assistctl.yaml").write_text(yaml.safe_dump(project), encoding="utf-8")
        (root / "bot.yaml").write_text(yaml.safe_dump(manifest), encoding="utf-8")
        config, _ = load_project([root])  # the variables as the loader read them back
        for environment in ENVIRONMENTS:
            variables = dict(config.environments[environment].vars)
            result = load([root], environment=environment)
            expected = dict(manifest)
            try:
                for field, ref in refs.items():
                    value = _oracle(ref, variables)
                    expected[field] = {"team": value} if field == "metadata" else value
            except _NoText:
                assert not result.ok, (environment, manifest, variables)
                continue
            accepted = _plain_model_accepts(expected)
            if accepted is None or any(
                isinstance(v, float) and not math.isfinite(v) for v in expected.values()
            ):
                assert not result.ok, (environment, expected, result.diagnostics)
                continue
            assert result.ok, (environment, expected, result.diagnostics)
            [loaded] = result.manifests
            assert loaded.manifest == accepted
