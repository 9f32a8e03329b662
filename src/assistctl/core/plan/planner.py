"""From (manifests, live assistants, scope) to a :class:`~assistctl.core.plan.model.Plan`.

Pure: no I/O. :class:`Planner` (or :func:`compute_plan`) gets the manifests (instructions
files already read) and the live objects exactly as the API listed them.

Identity and ownership
    A live assistant belongs to manifest ``KEY`` of scope ``S`` (the project, or
    ``project@environment``) when its metadata carries the ownership label ``S/KEY``
    (:mod:`assistctl.labels`, flags after it ignored for identity); matching never looks at
    the display name. Unmanaged assistants and other scopes' assistants are listed in
    :attr:`Plan.ignored` and never changed. Live assistants of this scope whose key has no
    manifest are deleted, unless the plan is targeted (:class:`Targeting`: path arguments
    selected part of the project), in which case nothing outside the selection is planned.
    A scope none of whose keys is live, where others' are, gets a rename warning (``scopes``).

Duplicates
    Several live assistants with one label (concurrent applies, a copied label) are repaired
    by the rule every applier agrees on (:func:`assistctl.core.plan.ownership.rank`): the
    oldest is planned as the key's assistant, the others are deletes marked
    ``duplicate_of`` and named in a warning. The listing is oldest first, so the oldest
    copy normally comes first; when it comes later (same ``created_at`` second, smaller
    id), the manifest is still at hand if it was matched in that same second (the last
    :data:`RECENT_LIMIT` of them are kept), or the copies are identical and the change only
    moves to the kept id. Otherwise — a host listing out of order, copies that differ — the
    key is refused as a ``label_conflict``.

Renames
    ``moved_from: OLD`` on manifest ``NEW``, with a live assistant labelled ``OLD`` and none
    labelled ``NEW``, is an in-place update of that assistant (same id) that rewrites the
    label: the change lists ``metadata.assistctl`` and carries ``moved_from``. When ``NEW``
    already exists live, the move is done: ``moved_from`` is ignored and a leftover ``OLD``
    is deleted like any assistant without a manifest (with a warning).

prevent_destroy lives in the label; the refusals are in :mod:`assistctl.core.plan.problems`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any, NamedTuple

from assistctl.config.manifest import Manifest
from assistctl.core.fields import ApiVersion, api_fields, write_only_fields
from assistctl.core.jsonform import canonical_json
from assistctl.core.normalize import desired_label, normalize_desired, normalize_live
from assistctl.core.plan import writeonly
from assistctl.core.plan.bodies import create_body, update_body
from assistctl.core.plan.model import ACTIONS, Change, Ignored, Plan, Problem, Targeting
from assistctl.core.plan.ownership import rank
from assistctl.core.plan.paths import diff_paths, label_paths
from assistctl.core.plan.problems import (
    label_conflict,
    protected,
    unrecorded_protection,
    valid_moves,
)
from assistctl.core.plan.scopes import OtherScopes, ignored_entry
from assistctl.errors import PlanError
from assistctl.labels import OWNER_KEY, label_of, split_scope

# perf: a window, not every manifest (+21 MB for 10,000; this costs 0.4 MB at most);
# benchmarks/plan_memory.py (see benchmarks/README.md, memory).
RECENT_LIMIT = 256
"""Manifests matched in the newest ``created_at`` second, kept in case an older copy of
their key is listed after (concurrent applies create copies side by side): the last ones
only, so a bulk-created organisation (thousands in one second) keeps memory flat."""


def compute_plan(
    manifests: Sequence[Manifest],
    live: Iterable[Mapping[str, Any]],
    project: str,
    *,
    api_version: str = "v2",
    targeting: Targeting | None = None,
    siblings: Iterable[str] = (),
) -> Plan:
    """The plan that makes the live assistants of scope ``project`` match ``manifests``.

    ``api_version`` is the host's dialect, ``"v2"`` or ``"v1"``; ``siblings`` the project's
    other declared environments. Raises :class:`PlanError` only for inputs the loader
    should have refused (two manifests with one key, an unknown dialect).
    """
    planner = Planner(
        manifests, project, api_version=api_version, targeting=targeting, siblings=siblings
    )
    for obj in live:
        planner.add(obj)
    return planner.finish()


class _Copy(NamedTuple):
    """One live assistant of this scope: what the plan needs of it besides its content."""

    rank: tuple[float, str]
    id: str
    protected: bool


class Planner:
    """:func:`compute_plan` one live object at a time, so a listing is planned page by page.

    Each live object is reduced as it arrives to what the plan needs of it: the change of
    its manifest (a noop keeps one shared form for before and after), its normalized form
    when no manifest has its key (a delete, or the source of a ``moved_from``) or when it is
    a duplicate, or an :class:`Ignored` entry. The raw objects are never all held at once,
    and a manifest is let go once its change is made and the listing has passed its second:
    for 10,000 assistants these are most of a plan's memory (when the caller keeps no other
    reference to the manifests).
    """

    def __init__(
        self,
        manifests: Iterable[Manifest],
        project: str,
        *,
        api_version: str = "v2",
        targeting: Targeting | None = None,
        siblings: Iterable[str] = (),
    ) -> None:
        if api_version not in ("v1", "v2"):
            raise PlanError(f"Unknown Assistants API version '{api_version}'; use v1 or v2.")
        self.project = project
        """The ownership scope."""
        self.dialect: ApiVersion = "v1" if api_version == "v1" else "v2"
        self.targeting = targeting
        self.pending: dict[str, Manifest] = {}
        """Manifests whose change is not made yet, in manifest order."""
        for m in manifests:
            if m.key in self.pending:
                raise PlanError(f"Two manifests have the key '{m.key}'; keys must be unique.")
            self.pending[m.key] = m
        self.keys = list(self.pending)
        self.others = OtherScopes(project, self.keys, siblings)
        self.move_problems: list[Problem] = []
        self.moves = valid_moves(self.pending, self.move_problems)
        self.kept: dict[str, _Copy] = {}
        """The oldest live assistant seen so far of each key of this scope."""
        self.copies: dict[str, list[tuple[_Copy, dict[str, Any]]]] = {}
        """The newer copies of each key with duplicates, and their normalized forms."""
        self.matched: dict[str, Change] = {}
        """The update or noop of each key whose manifest found its live assistant."""
        self.unmatched: dict[str, dict[str, Any]] = {}
        """The normalized form of the kept assistant of each key with no manifest."""
        self.recent: dict[str, Manifest] = {}
        self.horizon = float("-inf")
        self.unplannable: set[str] = set()
        self.ignored: list[Ignored] = []
        self.recent_limit = RECENT_LIMIT

    def add(self, obj: Mapping[str, Any]) -> None:
        """Take one live assistant into the plan."""
        label = label_of(dict(obj))
        if label is None or label.scope != self.project:
            self.others.add(label)
            self.ignored.append(ignored_entry(obj, label, self.project))
            return
        key = label.key
        copy = _Copy(rank(obj), str(obj.get("id")), label.prevent_destroy)
        if copy.rank[0] > self.horizon:
            # The listing is oldest first: no older copy of a key matched before now comes.
            self.horizon = copy.rank[0]
            self.recent.clear()
        before = normalize_live(obj, api_version=self.dialect)
        current = self.kept.get(key)
        if current is None:
            self.kept[key] = copy
            # perf: popped, so the manifest goes once its change is made (and its second
            # passed); benchmarks/plan_memory.py (see benchmarks/README.md, memory).
            m = self.pending.pop(key, None)
            if m is None:
                self.unmatched[key] = before
                return
            self.matched[key] = _update(m, before, copy.id, self.project, self.dialect)
            self._remember(key, m)
            return
        copies = self.copies.setdefault(key, [])
        if copy.rank >= current.rank:
            copies.append((copy, before))
            return
        # An older copy listed after the one planned so far: it is the one to keep.
        self.kept[key] = copy
        if key not in self.matched:
            copies.append((current, self.unmatched[key]))
            self.unmatched[key] = before
            return
        planned = self.matched[key]
        copies.append((current, planned.before or {}))
        m = self.recent.get(key)
        if m is not None:
            self.matched[key] = _update(m, before, copy.id, self.project, self.dialect)
        elif canonical_json(before) == canonical_json(planned.before or {}):
            self.matched[key] = planned.model_copy(update={"id": copy.id})
        else:
            self.unplannable.add(key)

    def _remember(self, key: str, m: Manifest) -> None:
        """Keep the newest :attr:`recent_limit` manifests matched in the current second."""
        if self.recent_limit <= 0:
            return
        if len(self.recent) >= self.recent_limit:
            del self.recent[next(iter(self.recent))]
        self.recent[key] = m

    def finish(self) -> Plan:
        """The plan, once every live assistant has been added."""
        project, dialect = self.project, self.dialect
        problems: list[Problem] = [*self._conflicts(), *self.move_problems]
        warnings: list[str] = []

        changes: list[Change] = []
        consumed: set[str] = set(self.unplannable)
        for key in self.keys:
            old = self.moves.get(key)
            if key in self.unplannable:
                continue
            if key in self.matched:
                consumed.add(key)
                if old is not None and old in self.kept:
                    warnings.append(
                        f"'{key}' declares moved_from '{old}' but both exist live; the move "
                        f"is done, so '{old}' is treated as an assistant without a manifest"
                    )
                changes.append(self.matched[key])
                changes += self._repairs(key, warnings)
            elif old is not None and old in self.kept:
                consumed.add(old)
                m = self.pending[key]
                ident = self.kept[old].id
                before = self.unmatched[old]
                changes.append(_update(m, before, ident, project, dialect, moved_from=old))
                changes += self._orphan_copies(old, problems)
            else:
                changes.append(_create(self.pending[key], project, dialect))

        if self.targeting is None:
            for key in sorted(set(self.kept) - consumed):
                kept = self.kept[key]
                delete = _delete(key, kept, self.unmatched[key])
                changes.append(delete)
                if kept.protected:
                    problems.append(protected(delete))
                changes += self._orphan_copies(key, problems)

        problems += unrecorded_protection(changes)
        warnings += self.others.hints(len(self.kept), sum(c.action == "create" for c in changes))
        order = {a: i for i, a in enumerate(ACTIONS)}
        changes.sort(key=lambda c: (order[c.action], c.key, c.duplicate_of or "", c.id or ""))
        name, environment = split_scope(project)
        return Plan(
            project=name,
            environment=environment,
            api_version=dialect,
            changes=tuple(changes),
            ignored=tuple(sorted(self.ignored, key=lambda i: i.id)),
            problems=tuple(problems),
            warnings=tuple(warnings),
            managed=len(self.kept),
            targeting=self.targeting,
        )

    def _conflicts(self) -> list[Problem]:
        return [
            label_conflict(
                self.project,
                key,
                (self.kept[key].id, *(c.id for c, _ in self.copies[key])),
                self.kept[key].id,
            )
            for key in sorted(self.unplannable)
        ]

    def _repairs(self, key: str, warnings: list[str]) -> list[Change]:
        """The deletes of the newer copies of a key that has its manifest (and a warning)."""
        copies = sorted(self.copies.get(key, ()), key=lambda c: c[0].rank)
        if not copies:
            return []
        kept = self.kept[key].id
        extra = ", ".join(c.id for c, _ in copies)
        warnings.append(
            f"'{key}' has {len(copies) + 1} live assistants carrying its label; {kept}, the "
            f"oldest, is kept and the newer {extra} "
            f"{'is deleted as a duplicate' if len(copies) == 1 else 'are deleted as duplicates'}"
            " (concurrent applies, or a copied label)"
        )
        return [
            _change(
                key=key,
                id=c.id,
                action="delete",
                before=before,
                prevent_destroy=c.protected,
                duplicate_of=kept,
            )
            for c, before in copies
        ]

    def _orphan_copies(self, key: str, problems: list[Problem]) -> list[Change]:
        """The newer copies of a key with no manifest: plain deletes, each protected or not."""
        if self.targeting is not None:
            return []
        out = []
        for c, before in sorted(self.copies.get(key, ()), key=lambda c: c[0].rank):
            delete = _delete(key, c, before)
            out.append(delete)
            if c.protected:
                problems.append(protected(delete))
        return out


# perf: no validation and one shared fields set for all changes; benchmarks/plan_memory.py
# (see benchmarks/README.md, memory). Sharing relies on pydantic's model_construct keeping
# the set it is given (an implementation detail): a pydantic that copies it shares nothing.
def _change(**fields: Any) -> Change:
    """A :class:`Change` from values the planner built itself, without validating them.

    Validation would copy every ``before``/``after`` dict to check what this module just
    made; plans read from files are validated. All the changes share one "fields set"
    (pydantic's record of which fields were given, a set per instance otherwise); nothing
    here reads it.
    """
    return Change.model_construct(_CHANGE_FIELDS, **fields)


_CHANGE_FIELDS = set(Change.model_fields)


def _by_key(c: Change) -> str:
    return c.key


def _delete(key: str, copy: _Copy, before: dict[str, Any]) -> Change:
    return _change(
        key=key, id=copy.id, action="delete", before=before, prevent_destroy=copy.protected
    )


def _create(m: Manifest, project: str, api_version: ApiVersion) -> Change:
    body = create_body(m, project, api_version=api_version)
    return _change(
        key=m.key,
        action="create",
        after=normalize_desired(m, project, api_version=api_version),
        changed=tuple(f for f in api_fields(api_version) if f in body),
        body=body,
        prevent_destroy=m.prevent_destroy,
        ignore_changes=m.ignore_changes,
    )


def _update(
    m: Manifest,
    before: dict[str, Any],
    ident: str,
    project: str,
    api_version: ApiVersion,
    *,
    moved_from: str | None = None,
) -> Change:
    """The update (or noop) of live assistant ``ident``, whose normalized form is ``before``."""
    after = normalize_desired(m, project, api_version=api_version)
    label = desired_label(m, project, api_version)
    ignored = tuple(f for f in m.ignore_changes if f in api_fields(api_version))
    for field in ignored:
        if field == "metadata":
            # The label is ours, not the field's owner's: a rename still has to move it.
            kept = {k: v for k, v in before["metadata"].items() if k != OWNER_KEY}
            after["metadata"] = dict(sorted({**kept, OWNER_KEY: label}.items()))
        elif field in before:
            after[field] = before[field]
        else:
            after.pop(field, None)

    write_only = write_only_fields(api_version)
    writeonly.expect(before, after, write_only, ignored)

    changed = tuple(diff_paths(before, after, fields=api_fields(api_version)))
    body = (
        update_body(m, project, api_version, changed, before, after, ignored) if changed else None
    )
    changed = writeonly.paths(
        label_paths(changed, before, after), before, after, write_only, ignored
    )
    if not changed:
        # perf: nothing differs under the plan's comparison rules, so the two canonical
        # forms are equal (the same JSON): keep one, and let the live copy of a long prompt
        # go; benchmarks/plan_memory.py (see benchmarks/README.md, memory).
        before = after
    return _change(
        key=m.key,
        id=ident,
        action="update" if changed else "noop",
        before=before,
        after=after,
        changed=changed,
        body=body,
        prevent_destroy=m.prevent_destroy,
        moved_from=moved_from,
        ignore_changes=m.ignore_changes,
    )
