"""From (manifests, live assistants, project) to a :class:`~assistctl.core.plan.model.Plan`.

Pure: no I/O. The ``plan``/``drift``/``apply`` commands give :class:`Planner` (or
:func:`compute_plan`) the manifests (instructions already resolved from
``instructions_file``) and the live objects exactly as the API listed them.

Identity and ownership
    A live assistant belongs to manifest ``KEY`` of scope ``S`` (the project ``P``, or
    ``P@ENV`` for one of its environments) when its metadata carries the ownership label
    ``assistctl: "S/KEY"`` (:mod:`assistctl.labels`); matching never looks at the display
    name. Unmanaged assistants and other scopes' assistants are listed in
    :attr:`Plan.ignored` and never changed. Live assistants of this scope whose key has no
    manifest are deleted. Two live assistants with the same label are a conflict: nothing
    is planned for that key and :meth:`Plan.raise_if_unsafe` refuses. A scope with no live
    assistant of its own, where another scope has some under the manifests' keys, gets a
    warning: a renamed project or environment (:mod:`.renames`).

Renames
    ``moved_from: OLD`` on manifest ``NEW``, with a live assistant labelled ``OLD`` and none
    labelled ``NEW``, is an in-place update of that assistant (same id) that rewrites the
    label: the change lists ``metadata.assistctl`` and carries ``moved_from``. When ``NEW``
    already exists live, the move is done: ``moved_from`` is ignored and a leftover ``OLD``
    is deleted like any assistant without a manifest (with a warning).

prevent_destroy
    The flag lives on the manifest, and a delete is planned precisely because no manifest
    has the key, so — as in Terraform — removing a manifest removes its protection too. What
    the flag can still catch statelessly is its main hazard: a protected manifest whose
    ``key`` changed without ``moved_from``. That shows up as a *create* of a protected
    manifest in the same plan as one or more deletes, and is refused: add ``moved_from``, or
    drop ``prevent_destroy`` for that one apply if the new assistant really is new.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from assistctl.config.manifest import Manifest
from assistctl.core.fields import ApiVersion, api_fields, write_only_fields
from assistctl.core.normalize import normalize_desired, normalize_live
from assistctl.core.plan.bodies import create_body, update_body
from assistctl.core.plan.model import ACTIONS, Change, Ignored, IgnoredReason, Plan, Problem
from assistctl.core.plan.paths import diff_paths
from assistctl.core.plan.renames import OtherScopes
from assistctl.errors import PlanError
from assistctl.labels import OWNER_KEY, Label, label_of, make_label, split_scope


def compute_plan(
    manifests: Sequence[Manifest],
    live: Iterable[Mapping[str, Any]],
    project: str,
    *,
    api_version: str = "v2",
    siblings: Iterable[str] = (),
) -> Plan:
    """The plan that makes the live assistants of scope ``project`` match ``manifests``.

    ``project`` is the ownership scope (:func:`assistctl.labels.scope_of`); ``siblings``
    the project's other declared environments. ``api_version`` is the host's dialect,
    ``"v2"`` or ``"v1"``. Raises :class:`PlanError` only for inputs the loader should have
    refused (two manifests with the same key, an unknown dialect); every other problem is
    recorded in :attr:`Plan.problems`.
    """
    planner = Planner(manifests, project, api_version=api_version, siblings=siblings)
    for obj in live:
        planner.add(obj)
    return planner.finish()


class Planner:
    """:func:`compute_plan` one live object at a time, so a listing is planned page by page.

    Each live object is reduced as it arrives to what the plan needs of it: the change of
    its manifest (a noop keeps one shared form for before and after), its normalized form
    when no manifest has its key (a delete, or the source of a ``moved_from``), an
    :class:`Ignored` entry, or only its id (a second object with the same label). The raw
    objects are never all held at once, and a manifest is let go once its change is made:
    for 10,000 assistants these are most of a plan's memory (when the caller keeps no other
    reference to the manifests).
    """

    def __init__(
        self,
        manifests: Iterable[Manifest],
        project: str,
        *,
        api_version: str = "v2",
        siblings: Iterable[str] = (),
    ) -> None:
        if api_version not in ("v1", "v2"):
            raise PlanError(f"Unknown Assistants API version '{api_version}'; use v1 or v2.")
        self.project = project
        """The ownership scope: the project, or ``project@environment``."""
        self.dialect: ApiVersion = "v1" if api_version == "v1" else "v2"
        self.pending: dict[str, Manifest] = {}
        """Manifests whose change is not made yet, in manifest order."""
        for m in manifests:
            if m.key in self.pending:
                raise PlanError(f"Two manifests have the key '{m.key}'; keys must be unique.")
            self.pending[m.key] = m
        self.keys = list(self.pending)
        self.others = OtherScopes(project, self.keys, siblings)
        self.move_problems: list[Problem] = []
        self.moves = _valid_moves(self.pending, self.move_problems)
        self.ids: dict[str, list[str]] = {}
        """Ids of the live assistants labelled for each key of this project, listing order."""
        self.matched: dict[str, Change] = {}
        """The update or noop of each key whose manifest found its first live assistant."""
        self.unmatched: dict[str, tuple[str, dict[str, Any]]] = {}
        """(id, normalized form) of the first live assistant of each key with no manifest."""
        self.ignored: list[Ignored] = []

    def add(self, obj: Mapping[str, Any]) -> None:
        """Take one live assistant into the plan."""
        parsed = label_of(dict(obj))
        if parsed is None or parsed.scope != self.project:
            metadata = obj.get("metadata")
            label = metadata.get(OWNER_KEY) if isinstance(metadata, Mapping) else None
            if parsed is not None:
                self.others.add(parsed)
            self.ignored.append(
                Ignored(
                    id=str(obj.get("id")),
                    name=obj.get("name") or None,
                    owner=label if isinstance(label, str) else None,
                    reason=_reason(parsed, self.project),
                )
            )
            return
        key = parsed.key
        ident = str(obj.get("id"))
        seen = self.ids.setdefault(key, [])
        seen.append(ident)
        if len(seen) > 1:
            return  # a label conflict: nothing is planned for this key (see finish)
        before = normalize_live(obj, api_version=self.dialect)
        # perf: popped, so the manifest goes once its change is made;
        # benchmarks/plan_memory.py (see benchmarks/README.md, memory).
        m = self.pending.pop(key, None)
        if m is not None:
            self.matched[key] = _update(
                m, before, ident, self.project, self.dialect, moved_from=None
            )
        else:
            self.unmatched[key] = (ident, before)

    def finish(self) -> Plan:
        """The plan, once every live assistant has been added."""
        project, dialect = self.project, self.dialect
        problems: list[Problem] = []
        warnings: list[str] = []
        conflicted = {k for k, ids in self.ids.items() if len(ids) > 1}
        for key in sorted(conflicted):
            ids = tuple(sorted(self.ids[key]))
            problems.append(
                Problem(
                    kind="label_conflict",
                    keys=(key,),
                    ids=ids,
                    message=f"{len(ids)} live assistants ({', '.join(ids)}) carry the label "
                    f"'{OWNER_KEY}: {make_label(project, key)}'; delete or relabel all but one",
                )
            )

        problems += self.move_problems

        changes: list[Change] = []
        consumed: set[str] = set(conflicted)
        for key in self.keys:
            old = self.moves.get(key)
            if key in conflicted:
                continue
            if key in self.matched:
                consumed.add(key)
                if old is not None and old in self.ids:
                    warnings.append(
                        f"'{key}' declares moved_from '{old}' but both exist live; the move "
                        f"is done, so '{old}' is treated as an assistant without a manifest"
                    )
                changes.append(self.matched[key])
            elif old is not None and old in self.ids:
                consumed.add(old)
                if old in conflicted:
                    continue  # the conflict is reported; picking one of them would be a guess
                ident, before = self.unmatched[old]
                m = self.pending[key]
                changes.append(_update(m, before, ident, project, dialect, moved_from=old))
            else:
                changes.append(_create(self.pending[key], project, dialect))

        for key in sorted(set(self.ids) - consumed):
            ident, before = self.unmatched[key]
            changes.append(_change(key=key, id=ident, action="delete", before=before))

        deletes = [c for c in changes if c.action == "delete"]
        if deletes:
            for c in sorted(changes, key=lambda c: c.key):
                if c.action == "create" and c.prevent_destroy:
                    names = ", ".join(f"'{d.key}' ({d.id})" for d in sorted(deletes, key=_by_key))
                    problems.append(
                        Problem(
                            kind="prevent_destroy",
                            keys=(c.key, *sorted(d.key for d in deletes)),
                            ids=tuple(str(d.id) for d in sorted(deletes, key=_by_key)),
                            message=f"'{c.key}' has lifecycle.prevent_destroy and would be "
                            f"created while {names} would be deleted; if '{c.key}' was "
                            f"renamed, add 'moved_from: OLD_KEY' to keep the same assistant, "
                            f"otherwise remove prevent_destroy from '{c.key}' for this apply",
                        )
                    )

        creates = sum(c.action == "create" for c in changes)
        warnings += self.others.hints(len(self.ids), creates)
        order = {a: i for i, a in enumerate(ACTIONS)}
        changes.sort(key=lambda c: (order[c.action], c.key))
        name, environment = split_scope(project)
        return Plan(
            project=name,
            environment=environment,
            api_version=dialect,
            changes=tuple(changes),
            ignored=tuple(sorted(self.ignored, key=lambda i: i.id)),
            problems=tuple(problems),
            warnings=tuple(warnings),
        )


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


def _reason(label: Label | None, scope: str) -> IgnoredReason:
    if label is None:
        return "unmanaged"
    same = label.project == split_scope(scope)[0]
    return "other_environment" if same else "other_project"


def _by_key(c: Change) -> str:
    return c.key


def _valid_moves(by_key: Mapping[str, Manifest], problems: list[Problem]) -> dict[str, str]:
    """``{new_key: old_key}`` for the ``moved_from`` declarations that can be honoured."""
    claims: dict[str, list[str]] = defaultdict(list)
    for key, m in by_key.items():
        if m.moved_from and m.moved_from != key:
            claims[m.moved_from].append(key)
    moves: dict[str, str] = {}
    for old in sorted(claims):
        news = sorted(claims[old])
        if old in by_key:
            problems.append(
                Problem(
                    kind="moved_from",
                    keys=(*news, old),
                    message=f"{_quoted(news)} declare{'s' if len(news) == 1 else ''} "
                    f"moved_from '{old}' but a manifest with key '{old}' still exists; "
                    f"remove that manifest or the moved_from",
                )
            )
        elif len(news) > 1:
            problems.append(
                Problem(
                    kind="moved_from",
                    keys=(*news, old),
                    message=f"{_quoted(news)} all declare moved_from '{old}'; "
                    "only one manifest can take over an assistant",
                )
            )
        else:
            moves[news[0]] = old
    return moves


def _quoted(keys: Sequence[str]) -> str:
    return ", ".join(f"'{k}'" for k in keys)


def _create(m: Manifest, project: str, api_version: ApiVersion) -> Change:
    body = create_body(m, project, api_version=api_version)
    fields = api_fields(api_version)
    return _change(
        key=m.key,
        action="create",
        after=normalize_desired(m, project, api_version=api_version),
        changed=tuple(f for f in fields if f in body),
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
    moved_from: str | None,
) -> Change:
    """The update (or noop) of live assistant ``ident``, whose normalized form is ``before``."""
    after = normalize_desired(m, project, api_version=api_version)
    label = make_label(project, m.key)
    for field in write_only_fields(api_version):
        if field in before:
            after.setdefault(field, None)
        else:
            after.pop(field, None)
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

    changed = tuple(diff_paths(before, after, fields=api_fields(api_version)))
    body = (
        update_body(m, project, api_version, changed, before, after, ignored) if changed else None
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
