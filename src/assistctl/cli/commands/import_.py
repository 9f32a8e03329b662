"""``assistctl import KEY=ID... PATH...``: adopt live assistants under manifest keys, reviewed.

Like ``apply``: the label writes are planned and shown first (what metadata changes on which
assistant, and what ``plan`` would then do), every refusal of every pair is found before
anything is written, and the writes go on only after ``yes`` (or ``--auto-approve``). The
decisions are :mod:`assistctl.core.adopt`'s; the writes, each after a fresh read, are
:mod:`assistctl.api.labelwrite`'s; this module loads, asks and says what happened.

The 0.1.0 form ``import KEY ID PATH...`` still reads as one pair.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from assistctl.cli.commands._jsonrun import JsonRun, json_run
from assistctl.cli.commands._shared import connect, project_name, status
from assistctl.cli.error_handler import EXIT_ERROR, EXIT_OK
from assistctl.config.loader import LoadResult, load_or_raise
from assistctl.core.importpairs import Pair, from_file, split_arguments
from assistctl.errors import AssistctlError, NotFoundError, UsageError
from assistctl.labels import describe_scope, scope_of, split_scope
from assistctl.options import GlobalOptions

if TYPE_CHECKING:
    from assistctl.api.client import AssistantsClient
    from assistctl.api.labelwrite import LabelOutcome
    from assistctl.core.adopt import ImportItem


class ImportFailed(AssistctlError):
    """Some labels could not be written; the others were."""


@dataclass(frozen=True)
class ImportOptions:
    g: GlobalOptions
    args: tuple[str, ...]
    """``KEY=ID``... then PATH... (or the 0.1.0 form ``KEY ID PATH...``)."""
    pairs_file: str | None = None
    force: bool = False
    auto_approve: bool = False
    fmt: str = "text"


def execute(opts: ImportOptions) -> int:
    with json_run("import", opts.fmt) as run:
        return _import(opts, run)


def _read_pairs(name: str) -> list[Pair]:
    from assistctl.config.textfile import read_text

    text, problem = read_text(name, name, what="pairs file")
    if problem is not None:
        raise UsageError(f"--from {name} {problem.message}.")
    assert text is not None
    return from_file(text, name)


def _import(opts: ImportOptions, run: JsonRun) -> int:
    from assistctl.core.adopt import ImportRefused, refuse_unknown_keys
    from assistctl.core.importpairs import refuse_repeats

    pairs, paths = split_arguments(
        opts.args, pairs_file=opts.pairs_file is not None, exists=os.path.exists
    )
    if opts.pairs_file is not None:
        pairs += _read_pairs(opts.pairs_file)
    refuse_repeats(pairs)
    loaded = load_or_raise(paths, api_version=opts.g.api_version, environment=opts.g.env)
    # The scope: the project, or project@environment; the labels name it.
    project = scope_of(project_name(opts.g, loaded.project), loaded.environment)
    try:
        # A key no manifest has is found offline: nothing is asked of the host then.
        refuse_unknown_keys(pairs, loaded, tuple(paths))
        with connect(opts.g, loaded.project.settings(loaded.environment)) as client:
            return _plan_and_write(opts, run, pairs, loaded, project, client, paths)
    except ImportRefused as err:
        run.errors = [
            {"message": why, "key": pair.key, "id": pair.assistant_id} for pair, why in err.refusals
        ]
        raise


def _plan_and_write(
    opts: ImportOptions,
    run: JsonRun,
    pairs: list[Pair],
    loaded: LoadResult,
    project: str,
    client: AssistantsClient,
    paths: list[str],
) -> int:
    from assistctl.core.adopt import plan_imports
    from assistctl.output.imported import render_plan

    shown_paths = " ".join(paths)
    where = client.target.display
    status(opts.g, f"Planning the import into {describe_scope(project)} on {where} ...")
    # Listing first surfaces a host that serves no Assistants API with the right hint
    # (a 404 on one id could mean either), and finds duplicate labels in one pass.
    everyone = client.list_all()
    found = _find(client, everyone, pairs)
    items = plan_imports(
        pairs,
        loaded,
        found,
        everyone,
        project=project,
        force=opts.force,
        api_version=client.target.api_version,
        missing=f"no such assistant on {where}; check the id ('assistctl export "
        "--all' writes a manifest for every live assistant, with its id)",
        paths=tuple(paths),
    )
    if not (opts.g.quiet and opts.auto_approve):
        run.say(render_plan(items, project, where, shown_paths))
    writes = [i for i in items if not i.adoption.done]
    run.body = _body(project, items, {})  # what a refusal to ask leaves: the plan
    if not writes:
        return EXIT_OK
    if not _confirmed(opts, len(writes)):
        click.echo("Import cancelled: nothing was written.", err=True)
        run.errors = [{"message": "Import cancelled: nothing was written."}]
        return EXIT_ERROR
    from assistctl.api.labelwrite import write_labels

    outcomes = {o.item.pair.key: o for o in write_labels(client, items)}
    return _report(opts, run, project, items, outcomes, client.target.api_version, shown_paths)


def _find(
    client: AssistantsClient, everyone: list[dict[str, Any]], pairs: list[Pair]
) -> dict[str, dict[str, Any] | None]:
    """Each pair's live assistant: from the listing, else asked for by id (None: no such)."""
    listed = {str(obj.get("id")): obj for obj in everyone}
    found: dict[str, dict[str, Any] | None] = {}
    for pair in pairs:
        obj = listed.get(pair.assistant_id)
        if obj is None:
            try:
                obj = client.get(pair.assistant_id)
            except NotFoundError:
                obj = None
        found[pair.assistant_id] = obj
    return found


def _confirmed(opts: ImportOptions, writes: int) -> bool:
    from assistctl.cli.commands._confirm import confirmed

    return confirmed(
        opts.g,
        opts.auto_approve,
        refusal=f"Refusing to write {writes} label(s) without a terminal to confirm on; "
        "review the plan above, then pass --auto-approve.",
    )


def _report(
    opts: ImportOptions,
    run: JsonRun,
    project: str,
    items: list[ImportItem],
    outcomes: dict[str, LabelOutcome],
    api_version: str,
    paths: str,
) -> int:
    from assistctl.core.adopt import fields_to_update
    from assistctl.output.imported import differences_sentence, final_sentence, imported_sentence

    after = {item.pair.key: item.fields_after for item in items}
    for key, outcome in outcomes.items():
        item = outcome.item
        if not outcome.ok or outcome.updated is None:
            click.echo(f"failed: {key} <- {item.pair.assistant_id}: {outcome.error}", err=True)
            continue
        # What the next plan does, from the assistant as the host answered the write.
        after[key] = fields_to_update(
            item.manifest.manifest, outcome.updated, project, key, api_version
        )
        if not opts.g.quiet:
            run.say(imported_sentence(item, project))
            run.say(differences_sentence(item, after[key], paths))
    run.body = _body(project, items, outcomes, after)
    failed = [o for o in outcomes.values() if not o.ok]
    sentence = final_sentence(
        len(outcomes) - len(failed), len(items) - len(outcomes), [o.item.pair.key for o in failed]
    )
    if failed:
        run.errors = [
            {"message": o.error or "failed", "key": o.item.pair.key, "id": o.item.pair.assistant_id}
            for o in failed
        ]
        raise ImportFailed(f"{sentence[:-1]}; fix the cause and run the import again.")
    run.say(sentence)
    return EXIT_OK


def _body(
    project: str,
    items: list[ImportItem],
    outcomes: dict[str, LabelOutcome],
    after: dict[str, tuple[str, ...] | None] | None = None,
) -> dict[str, Any]:
    """``import``'s own fields of its JSON document: one entry per pair."""
    from assistctl.output.imported import Status, json_entry

    entries = []
    for item in items:
        outcome = outcomes.get(item.pair.key)
        status: Status
        if item.adoption.done:
            status, error = "already_managed", None
        elif outcome is None:
            status, error = "not_written", None
        else:
            status, error = ("imported", None) if outcome.ok else ("failed", outcome.error)
        fields = (after or {}).get(item.pair.key, item.fields_after)
        entries.append(json_entry(item, status, fields, error))
    name, environment = split_scope(project)
    return {"project": name, "environment": environment, "imports": entries}
