"""``assistctl import KEY ASSISTANT_ID PATH...``: adopt a live assistant under a manifest key.

Adopting means writing the ownership label and nothing else: the request sends the live
metadata plus the label, so every other field keeps its live value and the next ``plan``
shows exactly the real differences between the manifest and the assistant.

Refusals, all before anything is written:

- no manifest in PATH has the key (the manifests are validated first, as for ``plan``);
- the assistant does not exist;
- it already carries a label of another project, or of this project under another key,
  or a value under the reserved key that is not a label at all (``--force`` overrides);
- another live assistant already carries the label of KEY (two assistants with one key would
  make every later plan refuse; ``--force`` does not override this);
- its metadata already holds the API's 16 pairs, so the label cannot be added.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import click

from assistctl.commands._shared import project_name, status
from assistctl.config.loader import LoadedManifest, LoadResult, load_or_raise
from assistctl.config.manifest import MAX_METADATA_PAIRS
from assistctl.error_handler import EXIT_OK
from assistctl.errors import NotFoundError, UsageError
from assistctl.labels import OWNER_KEY, make_label, owner_of, parse_label
from assistctl.options import GlobalOptions

if TYPE_CHECKING:
    from assistctl.client import AssistantsClient


@dataclass(frozen=True)
class ImportOptions:
    g: GlobalOptions
    key: str
    assistant_id: str
    paths: tuple[str, ...]
    force: bool = False


def execute(opts: ImportOptions) -> int:
    from assistctl.client import AssistantsClient

    loaded = load_or_raise(opts.paths, api_version=opts.g.api_version)
    target = _find_manifest(loaded, opts.key, opts.paths)
    project = project_name(opts.g, loaded)
    label = make_label(project, opts.key)
    client = AssistantsClient.from_options(opts.g, loaded.project)
    try:
        status(
            opts.g,
            f"Importing {opts.assistant_id} as '{opts.key}' of project '{project}' "
            f"on {client.target.display} ...",
        )
        # Listing first surfaces a host that serves no Assistants API with the right hint
        # (a 404 on one id could mean either), and finds a duplicate label in one pass.
        everyone = client.list_all()
        live = _get(client, opts.assistant_id)
        metadata = _metadata(live)
        previous = metadata.get(OWNER_KEY)
        if previous == label:
            click.echo(
                f"{opts.assistant_id} is already managed as '{opts.key}' of project "
                f"'{project}' (metadata.{OWNER_KEY} = {label}); nothing to do."
            )
            _report_differences(opts, project, target, live, client.target.api_version)
            return EXIT_OK
        if previous is not None and not opts.force:
            raise UsageError(_owned_elsewhere(opts, project, previous))
        _refuse_duplicate(everyone, opts, label)
        if previous is None and len(metadata) >= MAX_METADATA_PAIRS:
            raise UsageError(
                f"{opts.assistant_id} already has {len(metadata)} metadata pairs, the API's "
                f"limit of {MAX_METADATA_PAIRS}, so the ownership label '{OWNER_KEY}' cannot "
                "be added; remove one pair from the assistant (the manifest may keep at most "
                f"{MAX_METADATA_PAIRS - 1}) and run the import again."
            )
        updated = client.modify(opts.assistant_id, {"metadata": {**metadata, OWNER_KEY: label}})
    finally:
        client.close()

    name = f" ({live['name']})" if live.get("name") else ""
    click.echo(
        f"Imported {opts.assistant_id}{name} as '{opts.key}' of project '{project}': "
        f"added metadata.{OWNER_KEY} = {label}; nothing else was changed."
    )
    if previous is not None:
        click.echo(f"It replaced the previous label {OWNER_KEY} = {previous} (--force).")
    _report_differences(opts, project, target, updated, client.target.api_version)
    return EXIT_OK


def _find_manifest(loaded: LoadResult, key: str, paths: tuple[str, ...]) -> LoadedManifest:
    for lm in loaded.manifests:
        if lm.manifest.key == key:
            return lm
    keys = sorted(lm.manifest.key for lm in loaded.manifests)
    close = difflib.get_close_matches(key, keys, n=1)
    hint = f"; did you mean '{close[0]}'?" if close else "."
    known = ", ".join(keys[:10]) + (", ..." if len(keys) > 10 else "")
    raise UsageError(
        f"No manifest with key '{key}' in {', '.join(paths)} (keys found: {known or 'none'})"
        f"{hint} Write the manifest first, then import the assistant under its key."
    )


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


def _metadata(live: dict[str, Any]) -> dict[str, Any]:
    metadata = live.get("metadata")
    return dict(metadata) if isinstance(metadata, dict) else {}


def _owned_elsewhere(opts: ImportOptions, project: str, previous: object) -> str:
    owner = parse_label(previous)
    if owner is None:
        what = f"a metadata.{OWNER_KEY} value that is not an assistctl label ({previous!r})"
    elif owner[0] != project:
        what = f"the label of project '{owner[0]}' (key '{owner[1]}')"
    else:
        what = f"this project's label for another key, '{owner[1]}'"
    return (
        f"{opts.assistant_id} already carries {what}; importing it as '{opts.key}' would take "
        "it away from its owner. Rerun with --force if that is intended."
    )


def _refuse_duplicate(everyone: list[dict[str, Any]], opts: ImportOptions, label: str) -> None:
    """The label of KEY must not be on another assistant already."""
    others = [
        obj["id"]
        for obj in everyone
        if obj["id"] != opts.assistant_id and _metadata(obj).get(OWNER_KEY) == label
    ]
    if others:
        raise UsageError(
            f"{', '.join(others)} already carries the label {OWNER_KEY} = {label}; importing "
            f"{opts.assistant_id} too would give the key '{opts.key}' two assistants. Delete "
            "the other assistant or remove its label first, or import under another key."
        )


def _report_differences(
    opts: ImportOptions,
    project: str,
    target: LoadedManifest,
    live: dict[str, Any],
    api_version: str,
) -> None:
    """Say which fields the next plan will update, so the user knows what to review."""
    from assistctl.plan import compute_plan

    if owner_of(live) != (project, opts.key):
        return
    change = compute_plan([target.manifest], [live], project, api_version=api_version).change_for(
        opts.key
    )
    paths = " ".join(opts.paths)
    if change is None or change.action == "noop":
        click.echo(
            f"The assistant matches {target.file}: 'assistctl plan {paths}' shows no changes "
            "for it."
        )
        return
    fields = ", ".join(change.changed_fields)
    click.echo(
        f"The manifest {target.file} differs in: {fields}. Run 'assistctl plan {paths}' "
        "to see the differences; 'assistctl apply' would update them."
    )
