"""From live assistant objects to manifest files, so that ``plan`` on them shows no changes.

Pure: no I/O. ``assistctl export`` (:mod:`assistctl.cli.commands.export`) lists the live
assistants, calls :func:`export_assistants` and writes the files it returns.

A manifest gets ``key``, then ``name``, then the dialect's other fields in the registry's
order (:mod:`assistctl.core.fields`), each written by its kind's export rule
(:mod:`assistctl.core.kinds`): a field is left out when its live value is the server's
default (a manifest's unset field *means* the default), and so are the parts the server
fills in (function ``strict: false``, the default ``file_search.ranking_options``, empty
``tool_resources`` entries) and the ownership label, whose recorded ``prevent_destroy`` is
written as ``lifecycle.prevent_destroy``. Lists and JSON schemas keep the live order.

Multi-line text is written as a literal block scalar (``|``), and so is single-line
``instructions`` longer than :data:`BLOCK_INSTRUCTIONS_OVER` characters. Instructions longer
than :data:`PROMPT_FILE_OVER` characters go to ``prompts/KEY.md`` beside the manifest,
byte for byte, and the manifest points at it with ``instructions_file``.

Every document is checked before it is returned: it is parsed back with the loader's own YAML
reader, validated as a :class:`~assistctl.config.manifest.Manifest`, and planned against the live
object it came from (as if already labelled). An assistant whose export would not plan as
"no changes" (a tool type the manifest model does not know, 16 metadata pairs, ...) is
returned as :class:`Skipped` with the reason, never written half-right.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import yaml
from pydantic import ValidationError

from assistctl.config.manifest import Manifest
from assistctl.config.yamlload import dotted, parse
from assistctl.core.fields import FIELDS, api_fields
from assistctl.errors import PlanError
from assistctl.labels import OWNER_KEY, is_valid_name, label_of, make_label, owner_of

PROMPT_FILE_OVER = 2000
"""Instructions longer than this many characters go to ``prompts/KEY.md``."""

BLOCK_INSTRUCTIONS_OVER = 80
"""Single-line instructions longer than this are written as a block scalar too."""

PROMPTS_DIR = "prompts"
MAX_KEY = 128
_ORDER = ("name", *(f for f in FIELDS if f != "name"))
"""Manifest order: the reader meets the assistant's name first."""

Status = Literal["managed", "unmanaged", "other_project"]


@dataclass(frozen=True)
class Exported:
    """One manifest to write: ``filename`` (and ``prompt_filename``) relative to the output."""

    key: str
    assistant_id: str
    name: str | None
    status: Status
    filename: str
    text: str
    prompt_filename: str | None = None
    prompt: str | None = None
    owner: str | None = None
    """The raw label of another project (status ``other_project``)."""
    manifest: Manifest | None = None
    """The manifest as the loader will read it (instructions inline)."""


@dataclass(frozen=True)
class Skipped:
    assistant_id: str
    name: str | None
    reason: str


@dataclass(frozen=True)
class ExportResult:
    exported: tuple[Exported, ...]
    skipped: tuple[Skipped, ...]


def export_assistants(
    live: Iterable[Mapping[str, Any]],
    project: str,
    *,
    include_all: bool = False,
    api_version: str = "v2",
    schema: str | None = None,
    out: str = "assistants",
) -> ExportResult:
    """Manifests for this project's live assistants (every assistant with ``include_all``).

    ``schema`` is the modeline's path to ``assistant.schema.json`` relative to the output
    directory (None: no modeline); ``out`` is that directory as the user named it, for the
    ``assistctl import`` command suggested in unmanaged manifests. Raises :class:`PlanError`
    when two live assistants carry the same label (``plan`` refuses those too).
    """
    objects = [dict(obj) for obj in live]
    chosen = _assign_keys(objects, project, include_all)
    exported: list[Exported] = []
    skipped: list[Skipped] = []
    filenames: set[str] = set()
    for obj, key, status in chosen:
        stem = _unique(key, filenames)
        filenames.add(stem.casefold())
        result = _export_one(obj, key, status, project, stem, api_version, schema, out)
        if isinstance(result, Exported):
            exported.append(result)
        else:
            skipped.append(result)
    return ExportResult(tuple(exported), tuple(skipped))


# -- keys ------------------------------------------------------------------------------------


def _assign_keys(
    objects: list[dict[str, Any]], project: str, include_all: bool
) -> list[tuple[dict[str, Any], str, Status]]:
    """This project's assistants keep their label's key; the others get a fresh unique one."""
    by_key: dict[str, list[dict[str, Any]]] = {}
    for obj in objects:
        owner = owner_of(obj)
        if owner is not None and owner[0] == project:
            by_key.setdefault(owner[1], []).append(obj)
    conflicts = {k: v for k, v in by_key.items() if len(v) > 1}
    if conflicts:
        key, objs = sorted(conflicts.items())[0]
        raise PlanError(
            f"{' and '.join(o['id'] for o in objs)} both carry the label "
            f"{OWNER_KEY} = {make_label(project, key)}; 'assistctl plan' refuses this too. "
            "Delete one of them (or remove its label), then export again."
        )
    taken = {k.casefold() for k in by_key}
    chosen: list[tuple[dict[str, Any], str, Status]] = []
    for obj in objects:
        owner = owner_of(obj)
        if owner is not None and owner[0] == project:
            chosen.append((obj, owner[1], "managed"))
        elif include_all:
            # Any value under the reserved key (even one that is not a label) makes import
            # ask for --force, so such an assistant is exported as someone else's.
            status: Status = "other_project" if OWNER_KEY in _metadata(obj) else "unmanaged"
            base = key_from(obj) if owner is None else owner[1]
            key = _unique(base, taken)
            taken.add(key.casefold())
            chosen.append((obj, key, status))
    return chosen


def slug(text: str) -> str:
    """``"Math Tutor (v2)"`` → ``"math-tutor-v2"``: a valid key, or ``""``."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    value = re.sub(r"[^a-z0-9._-]+", "-", ascii_text.lower())
    value = re.sub(r"-{2,}", "-", value).strip("-._")
    return value[:100].rstrip("-._")


def key_from(obj: Mapping[str, Any]) -> str:
    """A key for an unlabelled assistant: its name as a slug, else its id."""
    name = obj.get("name")
    if isinstance(name, str) and slug(name):
        return slug(name)
    assistant_id = str(obj.get("id", ""))
    if is_valid_name(assistant_id):
        return assistant_id
    return slug(assistant_id) or "assistant"


def _unique(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``... whichever is free (case-insensitively)."""
    if base.casefold() not in taken:
        return base
    n = 2
    while True:
        suffix = f"-{n}"
        candidate = base[: MAX_KEY - len(suffix)] + suffix
        if candidate.casefold() not in taken:
            return candidate
        n += 1


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
    text = _header(schema, status, key, assistant_id, out, owner_label) + dump_yaml(doc)

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
    label = make_label(project, key, prevent_destroy=manifest.prevent_destroy)
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
    """The manifest fields for a live object, in manifest order, API defaults left out; and
    ``lifecycle.prevent_destroy`` when its label records it (the protection is kept)."""
    fields = api_fields("v1" if api_version == "v1" else "v2")
    doc: dict[str, Any] = {"key": key}
    for field in _ORDER:
        if field in fields:
            value = FIELDS[field].export(obj.get(field))
            if value is not None:
                doc[field] = value
    label = label_of(dict(obj))
    if label is not None and label.prevent_destroy:
        doc["lifecycle"] = {"prevent_destroy": True}
    return doc


# -- YAML --------------------------------------------------------------------------------------


def _header(
    schema: str | None,
    status: Status,
    key: str,
    assistant_id: str,
    out: str,
    owner: object,
) -> str:
    lines = []
    if schema is not None:
        lines.append(f"# yaml-language-server: $schema={schema}")
    if status == "managed":
        lines.append(f"# Exported by assistctl from {assistant_id}.")
    elif status == "unmanaged":
        lines += [
            f"# Exported by assistctl from {assistant_id}, which is UNMANAGED: it has no",
            "# ownership label, so 'assistctl apply' would create a second assistant from this",
            "# manifest. Adopt the live one first:",
            f"#   assistctl import {key}={assistant_id} {out}",
        ]
    else:
        lines += [
            f"# Exported by assistctl from {assistant_id}, which carries another owner's label",
            f"# ({OWNER_KEY} = {owner}). To move it to this project:",
            f"#   assistctl import {key}={assistant_id} {out} --force",
        ]
    return "\n".join(lines) + "\n"


class _Block(str):
    """A string to write as a literal block scalar even when it is one line."""


class _Dumper(yaml.SafeDumper):
    """Block style, sequences indented under their key (as in the examples), no aliases."""

    def increase_indent(self, flow: bool = False, indentless: bool = False) -> None:
        super().increase_indent(flow, False)

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_str(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    # PyYAML falls back to a quoted style by itself when a block scalar cannot hold the text
    # exactly (trailing spaces on a line, control characters).
    style = "|" if "\n" in data or isinstance(data, _Block) else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(data), style=style)


FLOW_LIST_UNDER = 60
"""A list of short scalars this long (in characters) or less is written inline: ``[a, b]``."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.SequenceNode:
    scalars = all(
        isinstance(v, int | float | bool) or (isinstance(v, str) and "\n" not in v) for v in data
    )
    short = sum(len(str(v)) + 2 for v in data) <= FLOW_LIST_UNDER
    return dumper.represent_sequence(
        "tag:yaml.org,2002:seq", data, flow_style=bool(data) and scalars and short
    )


_Dumper.add_representer(str, _represent_str)
_Dumper.add_representer(_Block, _represent_str)
_Dumper.add_representer(list, _represent_list)


def dump_yaml(doc: Mapping[str, Any]) -> str:
    """``doc`` as block-style YAML in its own key order; long instructions as ``|``."""
    data = dict(doc)
    instructions = data.get("instructions")
    if isinstance(instructions, str) and len(instructions) > BLOCK_INSTRUCTIONS_OVER:
        data["instructions"] = _Block(instructions)
    text: str = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        default_flow_style=False,
        width=1 << 30,
        indent=2,
    )
    return text
