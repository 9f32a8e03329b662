"""Adopting a live assistant under a manifest key: the checks and the decision, no I/O.

Adopting means writing the ownership label and nothing else: the request sends the live
metadata plus the label, so every other field keeps its live value and the next ``plan``
shows exactly the real differences between the manifest and the assistant.

Refusals, all before anything is written:

- no manifest in PATH has the key (the manifests are validated first, as for ``plan``);
- it already carries a label of another scope (project or environment), or of this scope under
  another key,
  or a value under the reserved key that is not a label at all (``force`` overrides);
- another live assistant already carries the label of KEY (two assistants with one key would
  make every later plan refuse; ``force`` does not override this);
- its metadata already holds the API's 16 pairs, so the label cannot be added.

That the assistant exists is the command's to check: it is the answer of a request.

Several pairs are planned together (:func:`plan_imports`): every refusal of every pair is
found before anything is written, so an import is all or nothing up to its writes. Each write
then goes on only if a fresh read of the assistant shows it as planned (:func:`stale`).
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from assistctl.config.loader import LoadedManifest, LoadResult
from assistctl.config.manifest import MAX_METADATA_PAIRS, Manifest
from assistctl.core.importpairs import Pair
from assistctl.core.plan import compute_plan
from assistctl.errors import UsageError
from assistctl.labels import OWNER_KEY, describe_scope, make_label, owner_of, parse_label


@dataclass(frozen=True)
class Adoption:
    """What to do with one live assistant: nothing (:attr:`done`) or send :attr:`metadata`."""

    label: str
    previous: object
    """The value under the reserved key before the import (None when there was none)."""
    metadata: dict[str, Any]
    """The metadata the request sends: the live pairs plus the label."""

    @property
    def done(self) -> bool:
        """The assistant already carries this label (flags aside): nothing to send."""
        return parse_label(self.previous) == parse_label(self.label)


def find_manifest(loaded: LoadResult, key: str, paths: tuple[str, ...]) -> LoadedManifest:
    """The manifest with ``key``, or a UsageError naming the keys found and the closest one."""
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


def decide(
    live: dict[str, Any],
    everyone: list[dict[str, Any]],
    *,
    assistant_id: str,
    key: str,
    project: str,
    force: bool,
) -> Adoption:
    """Decide the import of ``live`` as ``key`` of ``project``; raise UsageError to refuse.

    ``everyone`` is every live assistant (the duplicate-label check reads all of them).
    """
    label = make_label(project, key)
    metadata = _metadata(live)
    previous = metadata.get(OWNER_KEY)
    adoption = Adoption(label=label, previous=previous, metadata={**metadata, OWNER_KEY: label})
    if adoption.done:  # nothing is sent: the live label stays, flags and fingerprint included
        return Adoption(label=label, previous=previous, metadata=metadata)
    if previous is not None and not force:
        raise UsageError(_owned_elsewhere(assistant_id, key, project, previous))
    _refuse_duplicate(everyone, assistant_id, key, project)
    if previous is None and len(metadata) >= MAX_METADATA_PAIRS:
        raise UsageError(
            f"{assistant_id} already has {len(metadata)} metadata pairs, the API's "
            f"limit of {MAX_METADATA_PAIRS}, so the ownership label '{OWNER_KEY}' cannot "
            "be added; remove one pair from the assistant (the manifest may keep at most "
            f"{MAX_METADATA_PAIRS - 1}) and run the import again."
        )
    return adoption


def fields_to_update(
    manifest: Manifest, live: dict[str, Any], project: str, key: str, api_version: str
) -> tuple[str, ...] | None:
    """The fields the next plan updates (empty: none); None when ``live`` is not ``key``'s."""
    if owner_of(live) != (project, key):
        return None
    change = compute_plan([manifest], [live], project, api_version=api_version).change_for(key)
    if change is None or change.action == "noop":
        return ()
    return change.changed_fields


def _metadata(live: dict[str, Any]) -> dict[str, Any]:
    metadata = live.get("metadata")
    return dict(metadata) if isinstance(metadata, dict) else {}


def _owned_elsewhere(assistant_id: str, key: str, project: str, previous: object) -> str:
    owner = parse_label(previous)
    if owner is None:
        what = f"a metadata.{OWNER_KEY} value that is not an assistctl label ({previous!r})"
    elif owner[0] != project:
        what = f"the label of {describe_scope(owner[0])} (key '{owner[1]}')"
    else:
        what = f"this project's label for another key, '{owner[1]}'"
    return (
        f"{assistant_id} already carries {what}; importing it as '{key}' would take "
        "it away from its owner. Rerun with --force if that is intended."
    )


def _refuse_duplicate(
    everyone: list[dict[str, Any]], assistant_id: str, key: str, project: str
) -> None:
    """The label of KEY must not be on another assistant already (whatever its flags)."""
    others = [
        obj["id"]
        for obj in everyone
        if obj["id"] != assistant_id and owner_of(obj) == (project, key)
    ]
    if others:
        label = make_label(project, key)
        raise UsageError(
            f"{', '.join(others)} already carries the label {OWNER_KEY} = {label}; importing "
            f"{assistant_id} too would give the key '{key}' two assistants. Delete "
            "the other assistant or remove its label first, or import under another key."
        )


class ImportRefused(UsageError):
    """Pairs that must not be imported, each with its reason; nothing was written."""

    def __init__(self, refusals: Sequence[tuple[Pair, str]]) -> None:
        self.refusals = list(refusals)
        shown = "; ".join(f"{pair.key}={pair.assistant_id}: {why}" for pair, why in refusals[:5])
        more = f" (and {len(refusals) - 5} more)" if len(refusals) > 5 else ""
        super().__init__(
            f"Nothing was imported: {len(refusals)} pair(s) refused: {shown}{more}"
            + ("" if shown.endswith(".") else ".")
        )


@dataclass(frozen=True)
class ImportItem:
    """One pair, planned: the live assistant as read, the label write, what plan then does."""

    pair: Pair
    manifest: LoadedManifest
    live: dict[str, Any]
    adoption: Adoption
    fields_after: tuple[str, ...] | None
    """The fields the next plan updates once the label is written ((): none)."""

    @property
    def name(self) -> str | None:
        name = self.live.get("name")
        return name if isinstance(name, str) and name else None


def plan_imports(
    pairs: Sequence[Pair],
    loaded: LoadResult,
    found: Mapping[str, dict[str, Any] | None],
    everyone: list[dict[str, Any]],
    *,
    project: str,
    force: bool,
    api_version: str,
    missing: str,
    paths: tuple[str, ...],
) -> list[ImportItem]:
    """Plan every pair, or raise :class:`ImportRefused` naming every pair that is refused.

    ``found`` maps each id to its live object (None: the host has none); ``missing`` is the
    sentence for such an id. ``everyone`` is every live assistant (duplicate labels);
    ``paths`` the manifest paths as given, for a key no manifest has.
    """
    items: list[ImportItem] = []
    refusals: list[tuple[Pair, str]] = []
    for pair in pairs:
        try:
            target = find_manifest(loaded, pair.key, paths)
        except UsageError as err:
            refusals.append((pair, str(err)))
            continue
        live = found.get(pair.assistant_id)
        if live is None:
            refusals.append((pair, missing))
            continue
        try:
            adoption = decide(
                live,
                everyone,
                assistant_id=pair.assistant_id,
                key=pair.key,
                project=project,
                force=force,
            )
        except UsageError as err:
            refusals.append((pair, str(err)))
            continue
        labelled = dict(live, metadata=adoption.metadata)
        after = fields_to_update(target.manifest, labelled, project, pair.key, api_version)
        items.append(ImportItem(pair, target, live, adoption, after))
    if refusals:
        raise ImportRefused(refusals)
    return items


def refuse_unknown_keys(pairs: Sequence[Pair], loaded: LoadResult, paths: tuple[str, ...]) -> None:
    """Raise :class:`ImportRefused` for the pairs whose key no manifest has: found offline,
    before anything is asked of the host."""
    refusals = []
    for pair in pairs:
        try:
            find_manifest(loaded, pair.key, paths)
        except UsageError as err:
            refusals.append((pair, str(err)))
    if refusals:
        raise ImportRefused(refusals)


def stale(item: ImportItem, fresh: dict[str, Any]) -> str | None:
    """Why the label must not be written on ``fresh`` (the assistant read again just now),
    or None when it is still as planned."""
    if str(fresh.get("id")) != item.pair.assistant_id:
        return f"the host answered for {fresh.get('id')!r} instead of {item.pair.assistant_id!r}"
    metadata = _metadata(fresh)
    now = metadata.get(OWNER_KEY)
    if now != item.adoption.previous:
        was = "no label" if item.adoption.previous is None else repr(item.adoption.previous)
        has = "no label" if now is None else repr(now)
        return f"changed since the plan: it carried {was}, now {has}; left as it is"
    if now is None and len(metadata) >= MAX_METADATA_PAIRS:
        return (
            f"changed since the plan: it now has {len(metadata)} metadata pairs, the API's "
            "limit, so the label cannot be added; left as it is"
        )
    return None


def label_body(item: ImportItem, fresh: dict[str, Any]) -> dict[str, Any]:
    """The modify request: the metadata read just now plus the label, nothing else."""
    return {"metadata": {**_metadata(fresh), OWNER_KEY: item.adoption.label}}
