"""``assistctl output``'s decisions: which live id each key has, and the variables' names."""

from __future__ import annotations

import pytest

from assistctl.core.idmap import live_ids, variable_name, variable_names
from assistctl.errors import ApiError, UsageError
from assistctl.output.idmap import render_ids


def live(ident: str, label: str, created: int = 1) -> dict[str, object]:
    return {"id": ident, "created_at": created, "metadata": {"assistctl": label}}


def test_the_ids_of_one_scope_and_the_missing_keys() -> None:
    objects = [
        live("asst_dev", "p@dev/bot"),
        live("asst_new", "p@prod/bot;prevent_destroy", created=5),
        live("asst_old", "p@prod/bot", created=2),
        live("asst_other", "q@prod/faq"),
        live("asst_orphan", "p@prod/gone"),
    ]
    ids = live_ids(["faq", "bot"], objects, "p@prod")
    assert dict(ids.ids) == {"bot": "asst_old"}, "a duplicate names the oldest, as apply keeps it"
    assert ids.missing == ("faq",)
    assert (ids.project, ids.environment) == ("p", "prod")


def test_an_id_that_is_not_an_id_is_never_printed() -> None:
    # A host that answers "asst_x\nNODE_OPTIONS=..." must not write a second variable.
    with pytest.raises(ApiError, match="is not an assistant id; nothing was printed"):
        live_ids(["bot"], [live("asst_x\nNODE_OPTIONS=--require=/tmp/x", "p/bot")], "p")


def test_variable_names() -> None:
    assert variable_name("support-bot") == "ASSISTANT_SUPPORT_BOT_ID"
    assert variable_name("faq.v2_bot") == "ASSISTANT_FAQ_V2_BOT_ID"
    with pytest.raises(
        UsageError, match=r"'a-b' and 'a\.b' both become the variable ASSISTANT_A_B_ID"
    ):
        variable_names(["a-b", "a.b"])


def test_formats() -> None:
    ids = live_ids(["bot", "faq"], [live("asst_1", "p@prod/bot")], "p@prod")
    assert render_ids(ids, "env") == "ASSISTANT_BOT_ID=asst_1\n"
    assert render_ids(ids, "dotenv") == (
        "# assistctl output: the live assistant ids of project p, environment prod\n"
        "ASSISTANT_BOT_ID=asst_1\n"
        "# ASSISTANT_FAQ_ID: missing, no live assistant (run assistctl apply)\n"
    )
    assert render_ids(ids, "text") == "bot  asst_1\nfaq  (missing: no live assistant)\n"
    with pytest.raises(UsageError, match="use one of text, json, env, dotenv"):
        render_ids(ids, "yaml")
