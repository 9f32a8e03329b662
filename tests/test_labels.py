"""The ownership label's grammar: identity, environments, flags, and 0.1.0's labels."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assistctl import labels
from assistctl.labels import (
    Label,
    describe_scope,
    label_of,
    make_label,
    owner_of,
    parse,
    parse_label,
    scope_of,
)

names = st.from_regex(r"\A[A-Za-z0-9][A-Za-z0-9._-]{0,127}\Z")


def test_a_label_of_0_1_0_parses_unchanged() -> None:
    assert parse("shop/tutor") == Label("shop", "tutor")
    assert parse_label("shop/tutor") == ("shop", "tutor")
    assert owner_of({"metadata": {"assistctl": "shop/tutor"}}) == ("shop", "tutor")


def test_environment_scope_and_flags() -> None:
    value = "support@prod/support-bot;prevent_destroy;wo=3f9a1c02b7e4"
    label = parse(value)
    assert label == Label("support@prod", "support-bot", True, "3f9a1c02b7e4")
    assert label is not None
    assert (label.project, label.environment) == ("support", "prod")
    assert label.value() == value
    assert owner_of({"metadata": {"assistctl": value}}) == ("support@prod", "support-bot")


def test_unknown_flags_of_the_right_shape_are_ignored() -> None:
    assert parse("p/k;future_flag=abc;other") == Label("p", "k")


@pytest.mark.parametrize(
    "value",
    [
        None,
        3,
        "",
        "p",
        "p/k/x",
        "/k",
        "p/",
        "p@/k",
        "@e/k",
        "p@e@f/k",
        "p/k;",
        "p/k;Bad Flag",
        "p/k;wo=",
        "p k/x",
        "p/k" + ";x" * 300,
    ],
)
def test_what_is_not_a_label(value: object) -> None:
    assert parse(value) is None
    assert label_of({"metadata": {"assistctl": value}}) is None


def test_a_malformed_write_only_fingerprint_is_dropped_not_trusted() -> None:
    assert parse("p/k;wo=XYZ") == Label("p", "k")


def test_no_metadata_is_unmanaged() -> None:
    assert label_of({}) is None
    assert label_of({"metadata": None}) is None


@given(
    names, st.none() | names, names, st.booleans(), st.none() | st.from_regex(r"\A[0-9a-f]{12}\Z")
)
def test_make_then_parse_round_trips(
    project: str, env: str | None, key: str, protect: bool, wo: str | None
) -> None:
    scope = scope_of(project, env)
    value = make_label(scope, key, prevent_destroy=protect, write_only=wo)
    assert len(value) <= 512
    label = parse(value)
    assert label == Label(scope, key, protect, wo)
    assert label is not None and (label.project, label.environment) == (project, env)


def test_the_longest_label_fits_the_metadata_value_limit() -> None:
    name = "a" * 128
    value = make_label(scope_of(name, name), name, prevent_destroy=True, write_only="f" * 12)
    assert len(value) <= 418 < 512
    assert labels.parse(value) is not None


def test_a_scope_in_words() -> None:
    assert describe_scope("support") == "project 'support'"
    assert describe_scope("support@prod") == "project 'support', environment 'prod'"
