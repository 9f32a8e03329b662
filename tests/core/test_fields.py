"""The field registry: one entry per API field, agreeing with the manifest model, with itself
(a default and an unset field are the same), and with the emulator's independent tables."""

from __future__ import annotations

from typing import Any

import pytest

from assistctl.config.apifields import API_FIELDS, NOT_IN_V1
from assistctl.config.manifest import MANIFEST_ONLY, Manifest
from assistctl.core.fields import (
    ANSWER_CHECKED,
    FIELDS,
    FIELDS_V1,
    FIELDS_V2,
    WRITE_ONLY_FIELDS,
    FieldSpec,
    write_only_fields,
)
from assistctl.core.normalize import desired_label
from assistctl.core.plan import compute_plan
from assistctl.emulator.app import EmulatorApp

SPECS = list(FIELDS.values())


def test_the_manifest_model_and_the_registry_name_the_same_fields_in_the_same_order() -> None:
    model_fields = [name for name in Manifest.model_fields if name not in MANIFEST_ONLY]
    assert model_fields == list(FIELDS) == list(API_FIELDS)


def test_dialects_derive_from_the_registry() -> None:
    assert tuple(f for f in API_FIELDS if f != "file_ids") == FIELDS_V2
    # Each v1 field stands where its v2 counterpart does: tool_resources becomes file_ids.
    assert FIELDS_V1 == (
        "model",
        "name",
        "description",
        "instructions",
        "tools",
        "file_ids",
        "metadata",
    )
    assert NOT_IN_V1 == ("temperature", "top_p", "response_format", "reasoning_effort")


def test_write_only_fields_are_asked_of_the_registry() -> None:
    assert WRITE_ONLY_FIELDS == ("reasoning_effort",)
    assert write_only_fields("v2") == ("reasoning_effort",)
    assert write_only_fields("v1") == ()


@pytest.mark.parametrize("spec", SPECS, ids=lambda s: s.name)
def test_the_default_means_unset(spec: FieldSpec) -> None:
    assert spec.canonical(spec.default) == spec.canonical(None)
    assert spec.export(spec.default) is None
    assert spec.export(None) is None
    assert spec.unexpected(spec.default) is None


@pytest.mark.parametrize("spec", ANSWER_CHECKED, ids=lambda s: s.name)
def test_a_boolean_is_never_an_expected_answer(spec: FieldSpec) -> None:
    assert spec.unexpected(True) is not None


@pytest.mark.parametrize("flavor", ["openai", "openai-v1"])
def test_an_assistant_created_with_only_a_model_answers_the_registry_defaults(
    flavor: str,
) -> None:
    """The emulator fills in defaults from its own tables: every field it returns must read,
    through the registry, as that field's default, and export must leave it out."""
    app = EmulatorApp(flavor)
    live: dict[str, Any] = app.create_assistant({"model": "gpt-4o"}).obj
    fields = FIELDS_V1 if flavor == "openai-v1" else FIELDS_V2
    assert fields[0] == "model" and live["model"] == "gpt-4o"
    for name in fields[1:]:
        spec = FIELDS[name]
        if spec.write_only:
            assert name not in live
            continue
        assert name in live, name
        assert spec.canonical(live[name]) == spec.canonical(spec.default), name
        assert spec.unexpected(live[name]) is None, name
        assert spec.export(live[name]) is None, name


def test_a_write_only_field_is_accepted_but_never_answered() -> None:
    app = EmulatorApp("openai")
    live = app.create_assistant({"model": "o3-mini", "reasoning_effort": "low"}).obj
    assert not set(WRITE_ONLY_FIELDS) & set(live)


OUT_OF_BAND: dict[str, Any] = {
    "name": "x",
    "description": "x",
    "instructions": "x",
    "tools": [{"type": "code_interpreter"}],
    "tool_resources": {"code_interpreter": {"file_ids": ["file-1"]}},
    "metadata": {"team": "x"},
    "temperature": 0.5,
    "top_p": 0.5,
    "response_format": {"type": "json_object"},
}


def test_every_field_with_a_default_is_set_out_of_band_here() -> None:
    with_default = [f for f in FIELDS_V2 if FIELDS[f].default is not None]
    assert sorted(OUT_OF_BAND) == sorted(with_default)


@pytest.mark.parametrize("name", sorted(OUT_OF_BAND))
def test_an_update_resets_a_field_the_manifest_leaves_unset(name: str) -> None:
    """Set out of band, the field is planned back to the server's default; once the update
    is applied, the plan is empty."""
    app = EmulatorApp("openai")
    manifest = Manifest.model_validate({"key": "a", "model": "gpt-4o"})
    label = {"assistctl": desired_label(manifest, "p")}
    value = OUT_OF_BAND[name]
    if name == "metadata":
        value = {**value, **label}
    created = app.create_assistant({"model": "gpt-4o", "metadata": label, name: value}).obj
    (change,) = compute_plan([manifest], [created], "p").changes
    assert change.action == "update" and change.changed_fields == (name,)
    assert change.body is not None
    record = app.modify_assistant(created["id"], change.body)
    assert record is not None
    assert [c.action for c in compute_plan([manifest], [record.obj], "p").changes] == ["noop"]
