"""``assistctl import KEY ASSISTANT_ID PATH...``: adopt a live assistant under a manifest key.

The checks and the decision are :mod:`assistctl.core.adopt`'s; this module loads, asks the
host and says what happened.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from assistctl.cli.commands._jsonrun import JsonRun, json_run
from assistctl.cli.commands._shared import connect, project_name, status
from assistctl.cli.error_handler import EXIT_OK
from assistctl.config.loader import LoadedManifest, load_or_raise
from assistctl.core.adopt import Adoption, decide, fields_to_update, find_manifest
from assistctl.core.fields import WRITE_ONLY_FIELDS
from assistctl.errors import NotFoundError
from assistctl.labels import OWNER_KEY, describe_scope, scope_of, split_scope
from assistctl.options import GlobalOptions

if TYPE_CHECKING:
    from assistctl.api.client import AssistantsClient


@dataclass(frozen=True)
class ImportOptions:
    g: GlobalOptions
    key: str
    assistant_id: str
    paths: tuple[str, ...]
    force: bool = False
    fmt: str = "text"


def execute(opts: ImportOptions) -> int:
    with json_run("import", opts.fmt) as run:
        return _import(opts, run)


def _import(opts: ImportOptions, run: JsonRun) -> int:
    loaded = load_or_raise(opts.paths, api_version=opts.g.api_version, environment=opts.g.env)
    target = find_manifest(loaded, opts.key, opts.paths)
    # The scope: the project, or project@environment; the label names it.
    project = scope_of(project_name(opts.g, loaded.project), loaded.environment)
    where = describe_scope(project)
    client = connect(opts.g, loaded.project.settings(loaded.environment))
    try:
        status(
            opts.g,
            f"Importing {opts.assistant_id} as '{opts.key}' of {where} "
            f"on {client.target.display} ...",
        )
        # Listing first surfaces a host that serves no Assistants API with the right hint
        # (a 404 on one id could mean either), and finds a duplicate label in one pass.
        everyone = client.list_all()
        live = _get(client, opts.assistant_id)
        adoption = decide(
            live,
            everyone,
            assistant_id=opts.assistant_id,
            key=opts.key,
            project=project,
            force=opts.force,
        )
        if adoption.done:
            run.say(
                f"{opts.assistant_id} is already managed as '{opts.key}' of {where} "
                f"(metadata.{OWNER_KEY} = {adoption.label}); nothing to do."
            )
            fields = _report_differences(
                opts, run, project, target, live, client.target.api_version
            )
            run.body = _json_body(opts, project, target, live, adoption, fields)
            return EXIT_OK
        updated = client.modify(opts.assistant_id, {"metadata": adoption.metadata})
    finally:
        client.close()

    name = f" ({live['name']})" if live.get("name") else ""
    run.say(
        f"Imported {opts.assistant_id}{name} as '{opts.key}' of {where}: "
        f"added metadata.{OWNER_KEY} = {adoption.label}; nothing else was changed."
    )
    if adoption.previous is not None:
        run.say(f"It replaced the previous label {OWNER_KEY} = {adoption.previous} (--force).")
    fields = _report_differences(opts, run, project, target, updated, client.target.api_version)
    run.body = _json_body(opts, project, target, live, adoption, fields)
    return EXIT_OK


def _json_body(
    opts: ImportOptions,
    project: str,
    target: LoadedManifest,
    live: dict[str, Any],
    adoption: Adoption,
    fields: list[str] | None,
) -> dict[str, Any]:
    """``import``'s own fields of its JSON document: one entry per adopted assistant."""
    return {
        "project": split_scope(project)[0],
        "environment": split_scope(project)[1],
        "imports": [
            {
                "key": opts.key,
                "id": opts.assistant_id,
                "name": live.get("name"),
                "status": "already_managed" if adoption.done else "imported",
                "label": adoption.label,
                "previous_label": adoption.previous,
                "manifest": target.file,
                "fields_to_update": fields,
            }
        ],
    }


def _get(client: AssistantsClient, assistant_id: str) -> dict[str, Any]:
    try:
        return client.get(assistant_id)
    except NotFoundError as err:
        # Without status: the sentence is ours, not the API's words.
        raise NotFoundError(
            f"No assistant '{assistant_id}' on {client.target.display}; check the id "
            "('assistctl export --all' writes a manifest for every live assistant, with its id).",
            code=err.code,
            url=err.url,
        ) from None


def _report_differences(
    opts: ImportOptions,
    run: JsonRun,
    project: str,
    target: LoadedManifest,
    live: dict[str, Any],
    api_version: str,
) -> list[str] | None:
    """Say which fields the next plan will update, so the user knows what to review."""
    fields = fields_to_update(target.manifest, live, project, opts.key, api_version)
    if fields is None:
        return None
    paths = " ".join(opts.paths)
    if not fields:
        run.say(
            f"The assistant matches {target.file}: 'assistctl plan {paths}' shows no changes "
            "for it."
        )
        return []
    if set(fields) <= set(WRITE_ONLY_FIELDS):
        run.say(
            f"The assistant matches {target.file} as far as the API shows; its write-only "
            f"{', '.join(fields)} cannot be read back, so the next 'assistctl apply {paths}' "
            "sends it once and records it."
        )
        return list(fields)
    run.say(
        f"The manifest {target.file} differs in: {', '.join(fields)}. Run 'assistctl plan "
        f"{paths}' to see the differences; 'assistctl apply' would update them."
    )
    return list(fields)
