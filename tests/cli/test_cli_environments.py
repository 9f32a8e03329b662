"""Environments through the real CLI: one manifest set, two environments on one emulator.

The whole loop of issue 15: apply dev, apply prod, each plan empty, an edit of a prod-only
variable plans one update in prod and none in dev, ``output`` names the live ids; saved
plans keep their environment; keys and URLs come from the variables an environment names.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from assistctl.emulator.testing import EmulatorHandle
from assistctl.labels import OWNER_KEY
from clihelpers import ROOT, at, project_dir, run

PROJECT = """\
project: support
vars:
  brand: Acme
  temperature: 0.3
environments:
  dev:
    vars: {model: gpt-4o-mini, temperature: 0.8}
  prod:
    vars: {model: gpt-4o}
"""
BOT = """\
key: support-bot
model: ${model}
temperature: ${temperature}
instructions: "You answer questions about ${brand} products."
"""
FAQ = "key: faq-bot\nmodel: gpt-4o\nname: FAQ\nenvironments: [prod]\n"


def project(root: Path, config: str = PROJECT) -> Path:
    return project_dir(
        root, {"assistctl.yaml": config, "assistants/bot.yaml": BOT, "assistants/faq.yaml": FAQ}
    )


def env(emulator: EmulatorHandle, name: str) -> dict[str, str | None]:
    return {
        "ASSISTCTL_BASE_URL": emulator.base_url,
        "ASSISTCTL_API_KEY": emulator.api_key,
        "ASSISTCTL_ENV": name,
    }


def labels(emulator: EmulatorHandle) -> dict[str, str]:
    return {a["metadata"][OWNER_KEY].split(";")[0]: a["id"] for a in emulator.assistants()}


def test_two_environments_on_one_host_never_touch_each_other(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project(tmp_path)
    paths = root / "assistants"
    dev, prod = env(emulator, "dev"), env(emulator, "prod")
    assert run("apply", "--auto-approve", paths, env=dev).code == 0
    applied = run("apply", "--auto-approve", paths, env=prod)
    assert applied.code == 0, applied.err
    assert "project 'support', environment 'prod'" in applied.err
    live = labels(emulator)
    assert set(live) == {
        "support@dev/support-bot",
        "support@prod/support-bot",
        "support@prod/faq-bot",
    }
    by_label = {a["metadata"][OWNER_KEY].split(";")[0]: a for a in emulator.assistants()}
    assert by_label["support@dev/support-bot"]["model"] == "gpt-4o-mini"
    assert by_label["support@dev/support-bot"]["temperature"] == 0.8
    assert by_label["support@prod/support-bot"]["temperature"] == 0.3
    assert by_label["support@prod/support-bot"]["instructions"].endswith("about Acme products.")

    for name in (dev, prod):
        again = run("plan", "--detailed-exitcode", paths, env=name)
        assert again.code == 0, again.text
        assert "No changes." in again.out

    # A prod-only variable changes: one update in prod, nothing in dev.
    root.joinpath("assistctl.yaml").write_text(
        PROJECT.replace("vars: {model: gpt-4o}", "vars: {model: gpt-4o, temperature: 0.1}")
    )
    planned = run("plan", "--format", "json", paths, env=prod)
    document = json.loads(planned.out)
    assert (document["project"], document["environment"]) == ("support", "prod")
    assert document["summary"]["update"] == 1 and document["summary"]["create"] == 0
    [update] = [c for c in document["changes"] if c["action"] == "update"]
    assert (update["key"], update["changed"]) == ("support-bot", ["temperature"])
    assert {i["reason"] for i in document["ignored"]} == {"other_environment"}
    assert run("plan", "--detailed-exitcode", paths, env=dev).code == 0

    # The ids an application reads are the live ones, per environment.
    out = run("output", "--format", "json", paths, env=prod)
    assert out.code == 0, out.err
    ids = json.loads(out.out)
    assert ids["ids"] == {
        "support-bot": live["support@prod/support-bot"],
        "faq-bot": live["support@prod/faq-bot"],
    }
    assert (ids["environment"], ids["missing"]) == ("prod", [])
    dotenv = run("output", "--format", "dotenv", paths, env=dev)
    assert dotenv.code == 0
    assert dotenv.out.splitlines()[1:] == [
        f"ASSISTANT_SUPPORT_BOT_ID={live['support@dev/support-bot']}"
    ]
    assert [e["operation"] for e in emulator.requests()][-1] == "list"


def test_output_lists_missing_keys_and_exits_2(emulator: EmulatorHandle, tmp_path: Path) -> None:
    paths = project(tmp_path) / "assistants"
    assert run("apply", "--auto-approve", paths / "bot.yaml", env=env(emulator, "prod")).code == 0
    before = len(emulator.requests())
    r = run("output", "--format", "env", paths, env=env(emulator, "prod"))
    assert r.code == 2
    assert r.out.startswith("ASSISTANT_SUPPORT_BOT_ID=asst_") and r.out.count("\n") == 1
    assert (
        "1 key(s) have no live assistant in project 'support', environment 'prod': faq-bot" in r.err
    )
    assert {e["operation"] for e in emulator.requests()[before:]} == {"list"}  # both ends
    text = run("output", paths, env=env(emulator, "prod"))
    assert "faq-bot" in text.out and "(missing: no live assistant)" in text.out


def test_output_refuses_keys_that_make_one_variable(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project_dir(
        tmp_path, {"a.yaml": "key: a-b\nmodel: gpt-4o\n", "b.yaml": "key: a.b\nmodel: gpt-4o\n"}
    )
    r = run(*at(emulator.base_url, emulator.api_key), "output", "--format", "env", root)
    assert r.code == 1 and "both become the variable ASSISTANT_A_B_ID" in r.err
    assert emulator.requests() == []
    assert (
        run(*at(emulator.base_url, emulator.api_key), "output", "--format", "json", root).code == 2
    )


def test_choosing_an_environment(emulator: EmulatorHandle, tmp_path: Path) -> None:
    paths = project(tmp_path) / "assistants"
    flags = at(emulator.base_url, emulator.api_key)
    for command in (["plan"], ["apply", "--auto-approve"], ["drift"], ["output"]):
        r = run(*flags, *command, paths)
        assert r.code == 1
        assert r.err.strip() == (
            "assistctl: error: This project declares environments (dev, prod); choose one "
            "with --env NAME or ASSISTCTL_ENV."
        )
    r = run(*flags, "--env", "prd", "plan", paths)
    assert r.code == 1 and "Unknown environment 'prd'" in r.err and "Did you mean 'prod'?" in r.err
    assert emulator.requests() == []
    plain = project_dir(tmp_path / "plain", {"a.yaml": "key: a\nmodel: gpt-4o\n"})
    r = run(*flags, "--env", "prod", "plan", plain)
    assert r.code == 1 and "declares no environments" in r.err
    assert run(*flags, "plan", plain).code == 0


def test_saved_plans_keep_their_environment(
    emulator: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = project(tmp_path)
    plan_file = tmp_path / "prod.plan"
    flags = at(emulator.base_url, emulator.api_key)
    made = run(*flags, "--env", "prod", "plan", "--out", plan_file, root / "assistants")
    assert made.code == 0, made.err
    assert json.loads(plan_file.read_text())["origin"]["environment"] == "prod"
    dev = run(*flags, "--env", "dev", "apply", plan_file)
    assert dev.code == 1
    assert "made for environment 'prod', but this apply is for environment 'dev'" in dev.err
    bare = run(*flags, "apply", plan_file)
    assert bare.code == 1 and "pass --env prod" in bare.err
    assert emulator.assistants() == []
    elsewhere = run(*flags, "--env", "prod", "apply", plan_file)
    assert elsewhere.code == 1 and "no assistctl.yaml in or above" in elsewhere.err
    monkeypatch.chdir(root)  # the environment's settings are the project's, found from here
    applied = run(*flags, "--env", "prod", "apply", plan_file)
    assert applied.code == 0, applied.err
    assert set(labels(emulator)) == {"support@prod/support-bot", "support@prod/faq-bot"}


def test_keys_and_urls_from_the_variables_an_environment_names(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    config = PROJECT.replace(
        "    vars: {model: gpt-4o}\n",
        "    api_key_env: SUPPORT_PROD_KEY\n    base_url_env: SUPPORT_PROD_URL\n"
        "    vars: {model: gpt-4o}\n",
    )
    paths = project(tmp_path, config) / "assistants"
    named = {"SUPPORT_PROD_KEY": emulator.api_key, "SUPPORT_PROD_URL": emulator.base_url}
    r = run("--env", "prod", "plan", paths, env=named)
    assert r.code == 0, r.err
    assert emulator.base_url in r.err
    missing = run("--env", "prod", "plan", paths, env={"SUPPORT_PROD_URL": emulator.base_url})
    assert missing.code == 1
    assert "reads its API key from the variable SUPPORT_PROD_KEY" in missing.err
    assert emulator.api_key not in missing.text
    # The trusted side still overrides, for one run.
    override = run(
        "--env",
        "prod",
        "plan",
        paths,
        env={
            "SUPPORT_PROD_URL": "http://127.0.0.1:9/v1",
            "ASSISTCTL_API_KEY": emulator.api_key,
            "ASSISTCTL_BASE_URL": emulator.base_url,
        },
    )
    assert override.code == 0, override.err


def test_a_renamed_project_is_a_plan_that_says_so(emulator: EmulatorHandle, tmp_path: Path) -> None:
    paths = project(tmp_path) / "assistants"
    assert run("apply", "--auto-approve", paths, env=env(emulator, "prod")).code == 0
    root = paths.parent
    root.joinpath("assistctl.yaml").write_text(PROJECT.replace("project: support", "project: help"))
    r = run("plan", paths, env=env(emulator, "prod"))
    assert r.code == 0
    assert (
        "Warning: no live assistants carry this scope's label (help@prod); 2 carry labels of "
        "project 'support' (support@prod) for keys of these manifests: did you rename the "
        "project?" in r.out
    )


def test_assistctl_project_sets_the_project(emulator: EmulatorHandle, tmp_path: Path) -> None:
    root = project_dir(tmp_path, {"a.yaml": "key: a\nmodel: gpt-4o\n"})
    flags = at(emulator.base_url, emulator.api_key)
    assert run(*flags, "apply", "--auto-approve", root, env={"ASSISTCTL_PROJECT": "web"}).code == 0
    assert set(labels(emulator)) == {"web/a"}


def test_validate_checks_every_environment_offline(tmp_path: Path) -> None:
    root = project(tmp_path, PROJECT.replace("vars: {model: gpt-4o}", "vars: {}"))
    r = run("validate", root / "assistants")
    assert r.code == 1
    assert r.out.splitlines() == [
        f"{root / 'assistants' / 'bot.yaml'}:2:8: model: variable 'model' is not defined: "
        "declare it under vars: (or the environment's vars:) in assistctl.yaml (in "
        "environment 'prod')",
        "1 error in 1 of 3 files; environments dev, prod",
    ]
    assert run("--env", "dev", "validate", root / "assistants").code == 0


def test_the_environments_example(
    emulator_aimlapi: EmulatorHandle, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """examples/environments as its README runs it: dev on the emulator in process, no key;
    prod on AIML API (here the aimlapi emulator) with the key in AIML_PROD_KEY."""
    root = project_dir(tmp_path / "repo")
    shutil.copytree(ROOT / "examples" / "environments", root / "env")
    monkeypatch.chdir(root / "env")
    checked = run("validate", ".")
    assert checked.code == 0 and checked.out == (
        "2 manifests valid (3 files); environments dev, prod\n"
    ), checked.text
    assert run("--env", "dev", "apply", ".", "--auto-approve").code == 0
    dev = run("--env", "dev", "output", ".", "--format", "dotenv")
    assert dev.code == 0 and dev.out.count("=asst_") == 2, dev.text
    prod_env = {"AIML_PROD_KEY": emulator_aimlapi.api_key, "ASSISTCTL_BASE_URL": ""}
    no_key = run("--env", "prod", "plan", ".", env={})
    assert no_key.code == 1 and "AIML_PROD_KEY" in no_key.err
    # The host of prod is AIML API's preset; here the trusted side points it at the emulator.
    prod_env["ASSISTCTL_BASE_URL"] = emulator_aimlapi.base_url
    saved = run("--env", "prod", "plan", ".", "--out", "prod.plan", env=prod_env)
    assert saved.code == 0 and "Plan: 1 to create" in saved.out, saved.text
    assert run("--env", "prod", "apply", "prod.plan", env=prod_env).code == 0
    [bot] = emulator_aimlapi.assistants()
    assert (bot["model"], bot["temperature"], bot["name"]) == ("gpt-4o", 0.3, "Acme Support")
    assert run("--env", "prod", "plan", "-d", ".", env=prod_env).code == 0


def test_import_export_and_apply_json_per_environment(
    emulator: EmulatorHandle, tmp_path: Path
) -> None:
    root = project(tmp_path)
    paths = root / "assistants"
    applied = run("apply", "--auto-approve", "--format", "json", paths, env=env(emulator, "dev"))
    document = json.loads(applied.out)
    assert (document["project"], document["environment"]) == ("support", "dev")
    assert set(document["ids"]) == {"support-bot"}, "faq-bot exists in prod only"
    # import writes the environment's label; export writes the environment's assistants.
    by_hand = emulator.seed_assistants(1)[0]["id"]
    imported = run(
        "import",
        f"faq-bot={by_hand}",
        paths,
        "--auto-approve",
        "--format",
        "json",
        env=env(emulator, "prod"),
    )
    assert imported.code == 0, imported.text
    assert json.loads(imported.out)["environment"] == "prod"
    assert labels(emulator)["support@prod/faq-bot"] == by_hand
    # faq-bot has a manifest: export updates it in place (environments: kept), no new file.
    exported = run("export", "--out", paths, env=env(emulator, "prod"))
    assert exported.code == 0, exported.text
    assert sorted(p.name for p in paths.glob("*.yaml")) == ["bot.yaml", "faq.yaml"]
    assert "of project 'support', environment 'prod'" in exported.out
    assert "environments: [prod]" in (paths / "faq.yaml").read_text()
