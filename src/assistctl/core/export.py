"""From live assistant objects to manifest files, so that ``plan`` on them shows no changes.

Pure: no I/O. ``assistctl export`` (:mod:`assistctl.cli.commands.export`) lists the live
assistants, reads the project's manifests (:mod:`assistctl.config.existing`), calls
:func:`export_assistants` and writes the files it returns. An assistant whose manifest
exists is updated in place (:mod:`assistctl.core.exportupdate`); the others get a new file,
``KEY.yaml`` (keys: :mod:`assistctl.core.exportkeys`), written as below.

A manifest gets ``key``, then ``name``, then the dialect's other fields in the registry's
order (:mod:`assistctl.core.fields`), each written by its kind's export rule
(:mod:`assistctl.core.kinds`): a field is left out when its live value is the server's
default (a manifest's unset field *means* the default), and so are the parts the server
fills in (function ``strict: false``, the default ``file_search.ranking_options``, empty
``tool_resources`` entries) and the ownership label, whose recorded ``prevent_destroy`` is
written as ``lifecycle.prevent_destroy``. Lists and JSON schemas keep the live order.

Multi-line text is written as a literal block scalar (``|``), and so is long single-line
``instructions`` (:mod:`assistctl.core.exportyaml`). Instructions longer
than :data:`PROMPT_FILE_OVER` characters go to ``prompts/KEY.md`` beside the manifest,
byte for byte, and the manifest points at it with ``instructions_file``.

Every document is checked before it is returned: it is parsed back with the loader's own YAML
reader, validated as a :class:`~assistctl.config.manifest.Manifest`, and planned against the live
object it came from (as if already labelled). An assistant whose export would not plan as
"no changes" (a tool type the manifest model does not know, 16 metadata pairs, ...) is
returned as :class:`Skipped` with the reason, never written half-right.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from pydantic import ValidationError

from assistctl.config.existing import Existing
from assistctl.config.manifest import Manifest
from assistctl.config.yamlload import dotted, parse
from assistctl.core.exportkeys import assign_keys, never, unique
from assistctl.core.exportmodel import Exported, ExportResult, Skipped, Status, Updated
from assistctl.core.exportupdate import DocUpdate, update_one, write_updates
from assistctl.core.exportyaml import dump_yaml, header
from assistctl.core.fields import FIELDS, ApiVersion, api_fields
from assistctl.core.importpairs import is_valid_id
from assistctl.core.normalize import desired_label
from assistctl.core.plan import writeonly
from assistctl.labels import OWNER_KEY, label_of

__all__ = [
    "ExportResult",
    "Exported",
    "Skipped",
    "Updated",
    "export_assistants",
    "manifest_document",
]

PROMPT_FILE_OVER = 2000
"""Instructions longer than this many characters go to ``prompts/KEY.md``."""

PROMPTS_DIR = "prompts"
MAX_KEY = 128
_ORDER = ("name", *(f for f in FIELDS if f != "name"))
"""Manifest order: the reader meets the assistant's name first."""


def export_assistants(
    live: Iterable[Mapping[str, Any]],
    project: str,
    *,
    include_all: bool = False,
    api_version: str = "v2",
    schema: str | None = None,
    out: str = "assistants",
    existing: Existing | None = None,
    occupied: Callable[[str], bool] = never,
) -> ExportResult:
    """Manifests for this project's live assistants (every assistant with ``include_all``).

    ``schema`` is the modeline's path to ``assistant.schema.json`` relative to the output
    directory (None: no modeline); ``out`` is that directory as the user named it, for the
    ``assistctl import`` command suggested in unmanaged manifests. ``existing``: the
    project's manifests, updated in place for the assistants that have one; ``occupied``
    says which names under ``out`` (``KEY.yaml``, ``prompts/KEY.md``) belong to them, which
    a new file never takes. Raises :class:`PlanError` when two live assistants carry the
    same label (``plan`` refuses those too).
    """
    objects = [dict(obj) for obj in live]
    docs = existing.docs if existing is not None else []
    chosen = assign_keys(objects, project, include_all, docs)
    exported: list[Exported] = []
    skipped: list[Skipped] = []
    updates: list[tuple[dict[str, Any], Status, DocUpdate]] = []
    filenames: set[str] = set()
    for obj, key, status, doc in chosen:
        name = obj.get("name") if isinstance(obj.get("name"), str) else None
        if not is_valid_id(str(obj.get("id"))):
            reason = "the host gave it an id that assistctl cannot write into a manifest"
            skipped.append(Skipped(_shown_id(obj), name, reason))
            continue
        if doc is not None:
            desired = manifest_document(obj, key, api_version)
            result = update_one(obj, desired, doc, project, api_version, out)
            if isinstance(result, Skipped):
                skipped.append(result)
            else:
                updates.append((obj, status, result))
            continue
        stem = unique(key, filenames, lambda s: occupied(f"{s}.yaml") or occupied(_prompt(s)))
        filenames.add(stem.casefold())
        new = _export_one(obj, key, status, project, stem, api_version, schema, out)
        (exported if isinstance(new, Exported) else skipped).append(new)  # type: ignore[arg-type]
    updated, files, prompts, notes, more = write_updates(updates, existing)
    return ExportResult(
        tuple(exported), tuple(skipped + more), tuple(updated), files, prompts, tuple(notes)
    )


def _shown_id(obj: Mapping[str, Any]) -> str:
    return repr(str(obj.get("id")))[1:-1][:80]


def _prompt(stem: str) -> str:
    return f"{PROMPTS_DIR}/{stem}.md"


# -- one manifest ------------------------------------------------------------------------------


def _export_one(
    obj: dict[str, Any],
    key: str,
    status: Status,
    project: str,
    stem: str,
    api_version: str,
    schema: str | None,
    out: str,
) -> Exported | Skipped:
    assistant_id = str(obj["id"])
    name = obj.get("name") if isinstance(obj.get("name"), str) else None
    doc = manifest_document(obj, key, api_version)
    manifest = _check(doc, obj, key, project, api_version)
    if isinstance(manifest, str):
        return Skipped(assistant_id, name, manifest)

    prompt_filename = prompt = None
    instructions = doc.get("instructions")
    if isinstance(instructions, str) and _to_prompt_file(instructions):
        prompt_filename = f"{PROMPTS_DIR}/{stem}.md"
        prompt = instructions
        doc = {
            ("instructions_file" if k == "instructions" else k): (
                prompt_filename if k == "instructions" else v
            )
            for k, v in doc.items()
        }
    owner_label = _metadata(obj).get(OWNER_KEY) if status == "other_project" else None
    text = header(schema, status, key, assistant_id, out, owner_label) + dump_yaml(doc)

    # The emitter's choices (quoting, block scalars) must not change a single value.
    reread = parse(text, f"{stem}.yaml")
    got = reread.documents[0].data if len(reread.documents) == 1 else None
    if reread.diagnostics or got != doc:
        return Skipped(assistant_id, name, "its manifest does not read back as written (a bug)")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return Skipped(assistant_id, name, "its text holds characters that are not valid Unicode")
    return Exported(
        key=key,
        assistant_id=assistant_id,
        name=name,
        status=status,
        filename=f"{stem}.yaml",
        text=text,
        prompt_filename=prompt_filename,
        prompt=prompt,
        owner=owner_label if isinstance(owner_label, str) else None,
        manifest=manifest,
    )


def _to_prompt_file(text: str) -> bool:
    """Long instructions go to a file, unless the file would not read back exactly."""
    # The loader decodes prompt files as utf-8-sig and refuses NUL bytes (binary files).
    return len(text) > PROMPT_FILE_OVER and not text.startswith("\ufeff") and "\x00" not in text


def _check(
    doc: dict[str, Any], obj: dict[str, Any], key: str, project: str, api_version: str
) -> Manifest | str:
    """The manifest when ``plan`` would show no change for it, else why ``doc`` cannot be."""
    from assistctl.core.plan import compute_plan

    try:
        manifest = Manifest.model_validate(doc)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        where = dotted([p for p in first["loc"] if isinstance(p, str | int)])
        return f"it cannot be written as a valid manifest ({where}: {first['msg']})"
    # With this manifest's own label (its flags included), as a plan after 'import' sees it.
    version: ApiVersion = "v1" if api_version == "v1" else "v2"
    label = desired_label(manifest, project, version)
    labelled = dict(obj, metadata={**_metadata(obj), OWNER_KEY: label})
    plan = compute_plan([manifest], [labelled], project, api_version=api_version)
    change = plan.change_for(key)
    if change is None or change.action != "noop":
        fields = ", ".join(change.changed_fields) if change else "everything"
        return f"its {fields} cannot be written so that 'assistctl plan' shows no change"
    return manifest


def _metadata(obj: Mapping[str, Any]) -> dict[str, Any]:
    metadata = obj.get("metadata")
    return dict(metadata) if isinstance(metadata, Mapping) else {}


def manifest_document(obj: Mapping[str, Any], key: str, api_version: str = "v2") -> dict[str, Any]:
    """The manifest fields for a live object, in manifest order, API defaults left out; the
    write-only values its label's fingerprint records (the API never returns them); and
    ``lifecycle.prevent_destroy`` when its label records it (the protection is kept)."""
    fields = api_fields("v1" if api_version == "v1" else "v2")
    values = {name: FIELDS[name].export(obj.get(name)) for name in _ORDER if name in fields}
    label = label_of(dict(obj))
    doc: dict[str, Any] = {"key": key}
    doc.update((name, value) for name, value in values.items() if value is not None)
    recorded = writeonly.recover(doc, label, api_version)
    if any(name not in obj for name in recorded):  # a host that returns one is believed
        values.update({k: v for k, v in recorded.items() if k not in obj})
        doc = {"key": key, **{k: v for k, v in values.items() if v is not None}}
    if label is not None and label.prevent_destroy:
        doc["lifecycle"] = {"prevent_destroy": True}
    return doc
