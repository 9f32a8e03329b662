"""What ``export`` changes in a manifest that exists already, so that ``plan`` is then empty.

Only what ``plan`` would update is touched: the fields whose live value differs from the
manifest (as the planner compares them), each rewritten with the live value, or removed when
the live value is the API's default. Left alone, and said so:

- a field whose value holds a variable reference (``${name}``): the manifest says where the
  value comes from, export must not replace that with what it is today;
- a field the host does not return (``reasoning_effort`` on OpenAI): nothing to compare;
- ``lifecycle`` and ``moved_from`` (not in the live object), except that a ``prevent_destroy``
  the live label records is added (a protection is never dropped).

A manifest with ``instructions_file`` keeps it: the file gets the live instructions.

Every update is checked before it is returned (:func:`check`): the manifest as it will read
is validated and planned against the live object, and must show no change but in the
fields left alone. And the file as ruamel.yaml writes it must read back (with the loader's
own YAML reader) exactly as intended, every other document unchanged (:func:`check_file`).
Pure.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from assistctl.config.existing import Existing, ExistingDoc
from assistctl.config.manifest import Manifest
from assistctl.config.sources import MANIFEST_SUFFIXES
from assistctl.config.yamlload import dotted, parse
from assistctl.core.exportmodel import Skipped, Status, Updated
from assistctl.core.exportyaml import adopted_header
from assistctl.core.fields import FIELDS, ApiVersion, api_fields, write_only_fields
from assistctl.core.inplace import Edit, InPlaceError, edit_text
from assistctl.core.normalize import desired_label
from assistctl.core.plan import writeonly
from assistctl.labels import OWNER_KEY, label_of, make_label

_VARIABLE = re.compile(r"(?<!\$)\$\{")
MANIFEST_ORDER = ("key", "moved_from", "name", *(f for f in FIELDS if f != "name"))
"""Where a field missing from a manifest is inserted: the order export writes."""


@dataclass(frozen=True)
class DocUpdate:
    """The changes to one existing manifest (nothing to change: :attr:`unchanged`)."""

    doc: ExistingDoc
    edit: Edit
    prompt: str | None = None
    """The new text of its instructions file, when it changes."""
    kept: tuple[str, ...] = ()
    notes: tuple[str, ...] = field(default_factory=tuple)

    @property
    def unchanged(self) -> bool:
        return not self.edit.set and not self.edit.remove and self.prompt is None


def holds_variable(value: Any) -> bool:
    """A ``${name}`` reference anywhere in ``value`` (``$${`` is a literal ``${``)."""
    if isinstance(value, str):
        return bool(_VARIABLE.search(value))
    if isinstance(value, Mapping):
        return any(holds_variable(k) or holds_variable(v) for k, v in value.items())
    if isinstance(value, list):
        return any(holds_variable(v) for v in value)
    return False


def _labelled(obj: Mapping[str, Any], manifest: Manifest, project: str, api: str) -> dict[str, Any]:
    """``obj`` carrying the label ``manifest`` implies (the label is plan's own business), but
    with the write-only fingerprint the live label records, when it records one: a write-only
    value that differs from the manifest's is then a change, as ``plan`` sees it."""
    label = desired_label(manifest, project, _version(api))
    live = label_of(dict(obj))
    if live is not None and live.write_only is not None:
        prevent_destroy = manifest.prevent_destroy
        label = make_label(
            project, manifest.key, prevent_destroy=prevent_destroy, write_only=live.write_only
        )
    metadata = obj.get("metadata")
    pairs = dict(metadata) if isinstance(metadata, Mapping) else {}
    return dict(obj, metadata={**pairs, OWNER_KEY: label})


def _changed(manifest: Manifest, obj: Mapping[str, Any], project: str, api: str) -> set[str]:
    from assistctl.core.plan import compute_plan

    labelled = _labelled(obj, manifest, project, api)
    plan = compute_plan([manifest], [labelled], project, api_version=api)
    change = plan.change_for(manifest.key)
    return set() if change is None or change.action == "noop" else set(change.changed_fields)


def plan_update(
    doc: ExistingDoc,
    obj: Mapping[str, Any],
    desired: Mapping[str, Any],
    project: str,
    api_version: str,
) -> DocUpdate:
    """The changes that make ``doc`` match ``obj``; ``desired`` is what a new manifest of
    ``obj`` would hold (``manifest_document`` in :mod:`assistctl.core.export`)."""
    dialect = api_fields(_version(api_version))
    data = doc.data
    raw_lifecycle = data.get("lifecycle")
    lifecycle: dict[str, Any] = dict(raw_lifecycle) if isinstance(raw_lifecycle, Mapping) else {}
    listed = lifecycle.get("ignore_changes")
    ignored = {f for f in listed if isinstance(f, str)} if isinstance(listed, list) else set()
    if doc.manifest is not None:
        changed = _changed(doc.manifest, obj, project, api_version)
    else:  # an invalid manifest: compare as written
        changed = {f for f in dialect if data.get(f) != desired.get(f)}
    to_set: dict[str, Any] = {}
    remove: list[str] = []
    kept: list[str] = []
    notes: list[str] = []
    prompt: str | None = None
    label = label_of(dict(obj))
    for name in (f for f in MANIFEST_ORDER if f in dialect and f in changed and f not in ignored):
        current = data.get(name)
        if name == "instructions" and "instructions_file" in data:
            current = data.get("instructions_file")
        if name not in obj and writeonly.reproduces(dict(desired), label, api_version):
            # A write-only value, read back from the fingerprint the live label records.
            if name in desired:
                to_set[name] = desired[name]
            elif name in data:
                remove.append(name)
        elif name not in obj:
            kept.append(name)
            notes.append(f"kept {name}: {doc.file} sets it, and the host does not return it")
        elif holds_variable(current):
            kept.append(name)
            notes.append(
                f"kept {name} in {doc.file}: it holds a variable reference ({_short(current)}); "
                f"the live value differs ({_short(desired.get(name))})"
            )
        elif name == "instructions" and doc.prompt is not None:
            live = obj.get("instructions")
            prompt = live if isinstance(live, str) else ""
        elif name in desired:
            to_set[name] = desired[name]
        elif name in data:
            remove.append(name)
    if label is not None and label.prevent_destroy and lifecycle.get("prevent_destroy") is not True:
        if holds_variable(lifecycle):
            notes.append(f"kept lifecycle in {doc.file}: it holds a variable reference")
        else:
            to_set["lifecycle"] = {**lifecycle, "prevent_destroy": True}
            notes.append(
                f"{doc.file}: lifecycle.prevent_destroy added, as the live label records it"
            )
    if label is not None and label.owner == (project, doc.key) and label.write_only is None:
        fields = [f for f in write_only_fields(_version(api_version)) if f not in ignored]
        notes += [
            f"{doc.file}: '{doc.key}' records no fingerprint of its write-only {f} yet (imported, "
            "or labelled by an earlier version): the next 'assistctl apply' sends it once"
            for f in fields
        ]
    edit = Edit(doc.key, to_set, tuple(remove), MANIFEST_ORDER)
    return DocUpdate(doc, edit, prompt, tuple(kept), tuple(notes))


def _version(api_version: str) -> ApiVersion:
    return "v1" if api_version == "v1" else "v2"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def check(update: DocUpdate, obj: Mapping[str, Any], project: str, api_version: str) -> str | None:
    """Why ``update`` would not make ``plan`` empty for ``obj`` (but in the fields it
    keeps), or None when it does."""
    from assistctl.core.plan import compute_plan

    doc = update.doc
    if doc.manifest is not None:
        data: dict[str, Any] = {
            "key": doc.key,
            **doc.manifest.model_dump(
                mode="json", by_alias=True, exclude_unset=True, exclude={"key", "instructions_file"}
            ),
        }
    else:
        data = {k: v for k, v in doc.data.items() if k != "instructions_file"}
        if doc.prompt is not None:
            if doc.prompt.text is None:
                return f"its {doc.prompt.problem or 'instructions file cannot be read'}"
            data["instructions"] = doc.prompt.text
    data.update(update.edit.set)
    for name in update.edit.remove:
        data.pop(name, None)
    if update.prompt is not None:
        data["instructions"] = update.prompt
    try:
        manifest = Manifest.model_validate(data)
    except ValidationError as err:
        first = err.errors(include_url=False)[0]
        where = dotted([p for p in first["loc"] if isinstance(p, str | int)])
        return f"its manifest in {doc.file} is not valid ({where}: {first['msg']})"
    labelled = _labelled(obj, manifest, project, api_version)
    change = compute_plan([manifest], [labelled], project, api_version=api_version).change_for(
        manifest.key
    )
    left = () if change is None or change.action == "noop" else change.changed_fields
    wrong = [f for f in left if f not in update.kept]
    if wrong:
        return (
            f"its {', '.join(wrong)} cannot be written in {doc.file} so that 'assistctl plan' "
            "shows no change"
        )
    return None


def check_file(old: str, new: str, name: str, edits: Sequence[Edit]) -> str | None:
    """Why ``new`` (``old`` with ``edits`` made) does not read as intended, or None."""
    before, after = parse(old, name), parse(new, name)
    if after.diagnostics or len(before.documents) != len(after.documents):
        return f"{name} does not read back as intended after the update (a bug)"
    wanted = {e.key: e for e in edits}
    for was, now in zip(before.documents, after.documents, strict=True):
        expected = was.data
        if isinstance(expected, dict):
            edit = wanted.get(str(expected.get("key"))) or wanted.get(
                str(expected.get("moved_from"))
            )
            if edit is not None:
                expected = {k: v for k, v in expected.items() if k not in edit.remove}
                expected.update(edit.set)
        if not _same(now.data, expected):
            return f"{name} does not read back as intended after the update (a bug)"
    return None


def _same(a: Any, b: Any) -> bool:
    """Equal, and of the same kinds all the way down (``1`` is not ``true``)."""
    if isinstance(a, Mapping) and isinstance(b, Mapping):
        return set(a) == set(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    return type(a) is type(b) and bool(a == b)


# -- the assistants and files of one export ------------------------------------------------


def update_one(
    obj: dict[str, Any],
    desired: Mapping[str, Any],
    doc: ExistingDoc,
    project: str,
    api_version: str,
    out: str,
) -> DocUpdate | Skipped:
    """The update of ``doc`` for ``obj`` (``desired``: its fields as a new manifest would
    write them), or why it cannot be made."""
    assistant_id = str(obj["id"])
    name = obj.get("name") if isinstance(obj.get("name"), str) else None
    if not doc.inside:
        return Skipped(
            assistant_id,
            name,
            f"its manifest {doc.file} is outside --out {out}, and export writes only inside "
            "--out (export with --out set to the project's directory to update it)",
        )
    update = plan_update(doc, obj, desired, project, api_version)
    if update.prompt is not None:
        assert doc.prompt is not None
        if not doc.prompt.inside:
            return Skipped(
                assistant_id,
                name,
                f"its instructions file {doc.prompt.written} (named in {doc.file}) is outside "
                f"--out {out}, and export writes only inside --out",
            )
        if doc.prompt.path.lower().endswith(MANIFEST_SUFFIXES):
            # A manifest or the project file named as instructions (by mistake, or by a pull
            # request): instructions written there would break the project's YAML.
            return Skipped(
                assistant_id,
                name,
                f"its instructions file {doc.prompt.written} (named in {doc.file}) is a YAML "
                "file, which assistctl reads as manifests; export writes no instructions there",
            )
        if update.prompt.startswith("\ufeff") or "\x00" in update.prompt:
            return Skipped(
                assistant_id,
                name,
                f"its instructions cannot be written to {doc.prompt.written} exactly (a byte "
                "order mark or NUL character)",
            )
    problem = check(update, obj, project, api_version)
    if problem is not None:
        return Skipped(assistant_id, name, problem)
    return update


def _name(obj: Mapping[str, Any]) -> str | None:
    name = obj.get("name")
    return name if isinstance(name, str) else None


def _shared_prompts(
    updates: list[tuple[dict[str, Any], Status, DocUpdate]],
) -> tuple[list[tuple[dict[str, Any], Status, DocUpdate]], list[Skipped]]:
    """Two manifests naming one instructions file, whose assistants have different
    instructions, cannot both be true: the second is skipped."""
    texts: dict[str, str] = {}
    kept, skipped = [], []
    for obj, status, update in updates:
        prompt = update.doc.prompt
        new = update.prompt
        if new is not None and prompt is not None and texts.setdefault(prompt.path, new) != new:
            reason = (
                f"its instructions file {prompt.written} is shared with another manifest "
                "whose assistant has other instructions"
            )
            skipped.append(Skipped(str(obj["id"]), _name(obj), reason))
            continue
        kept.append((obj, status, update))
    return kept, skipped


def write_updates(
    updates: list[tuple[dict[str, Any], Status, DocUpdate]], existing: Existing | None
) -> tuple[list[Updated], dict[str, str], dict[str, str], list[str], list[Skipped]]:
    """The new text of each file with updates, file by file: a file whose update cannot be
    written exactly is left as it is, and its assistants are skipped."""
    updates, skipped = _shared_prompts(updates)
    by_file: dict[str, list[tuple[dict[str, Any], Status, DocUpdate]]] = {}
    for item in updates:
        by_file.setdefault(item[2].doc.file, []).append(item)
    updated: list[Updated] = []
    files: dict[str, str] = {}
    prompts: dict[str, str] = {}
    notes: list[str] = []
    for file, items in by_file.items():
        edits = [u.edit for _, _, u in items if u.edit.set or u.edit.remove]
        adopted = [str(o["id"]) for o, s, u in items if s == "managed" and u.doc.exported_from]
        problem = None
        if edits or adopted:
            assert existing is not None
            old = existing.texts[file]
            try:
                new, reindented = edit_text(old, edits, file) if edits else (old, [])
            except InPlaceError as err:
                problem = str(err)
            else:
                problem = check_file(old, new, file, edits)
            for assistant_id in adopted:
                new = adopted_header(new, assistant_id)
            if problem is None and new != old:
                files[file] = new
                notes += reindented
        for obj, status, update in items:
            if problem is not None:
                skipped.append(Skipped(str(obj["id"]), _name(obj), problem))
                continue
            prompt = update.doc.prompt
            written = None
            if update.prompt is not None and prompt is not None:
                prompts[prompt.path] = update.prompt
                written = prompt.written
            notes += update.notes
            fields = (*update.edit.set, *update.edit.remove)
            fields += ("instructions",) if written else ()
            updated.append(
                Updated(
                    key=update.doc.key,
                    assistant_id=str(obj["id"]),
                    name=_name(obj),
                    status=status,
                    file=file,
                    fields=tuple(dict.fromkeys(fields)),
                    prompt_file=written,
                )
            )
    return updated, files, prompts, notes, skipped
