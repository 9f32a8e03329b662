"""From (manifests, live assistants, project) to a frozen, serialisable :class:`Plan`.

Pure: no I/O. The ``plan``/``drift``/``apply`` commands call :func:`compute_plan` with the
manifests (instructions already resolved from ``instructions_file``) and the live objects
exactly as the API listed them, then render it (:mod:`assistctl.output.render`), save it
(``plan.model_dump(mode="json")``; :meth:`Plan.model_validate` reads it back) or execute
each :attr:`Change.body`.

Identity and ownership
    A live assistant belongs to manifest ``KEY`` of project ``P`` when its metadata carries
    the ownership label ``assistctl: "P/KEY"`` (:mod:`assistctl.labels`); matching never
    looks at the display name. Unmanaged assistants and other projects' assistants are
    listed in :attr:`Plan.ignored` and never changed. Live assistants of this project whose
    key has no manifest are deleted. Two live assistants with the same label are a
    conflict: nothing is planned for that key and :meth:`Plan.raise_if_unsafe` refuses.

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

Update bodies
    Every changed top-level field is sent whole, with the manifest's value (or the API
    default when the manifest leaves it unset: ``""`` for name/description/instructions,
    ``1.0`` for temperature/top_p, ``"auto"``, ``[]``, null ``reasoning_effort``).
    ``metadata`` and ``tools`` are replaced wholesale by the API, so they are sent whole,
    ``metadata`` always with the ownership label. ``tool_resources`` is sent with the
    manifest's entries plus an empty id list for each entry the live object has and the
    manifest does not, because the API treats each entry as an override. The write-only
    ``reasoning_effort`` is added to an update when the manifest sets it and the live object
    cannot show it. Fields in ``lifecycle.ignore_changes`` are never compared nor sent on
    update (a create sends everything the manifest sets).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from assistctl.config.dialect import to_v1
from assistctl.config.manifest import Manifest
from assistctl.core.normalize import (
    TEXT_FIELDS,
    WRITE_ONLY_FIELDS,
    ApiVersion,
    api_fields,
    canonical_json,
    normalize_desired,
    normalize_live,
)
from assistctl.errors import PlanError
from assistctl.labels import OWNER_KEY, make_label, owner_of

Action = Literal["create", "update", "delete", "noop"]
ACTIONS: tuple[Action, ...] = ("create", "update", "delete", "noop")

FORMAT_VERSION: Literal["1"] = "1"

# How deep a changed path goes before the rest is one opaque value (a JSON schema, an id list).
_PATH_DEPTH = {"tools": 4, "tool_resources": 3, "metadata": 2, "response_format": 3}
_STRUCTURED = frozenset(_PATH_DEPTH)
_API_DEFAULTS: dict[str, Any] = {
    "name": "",
    "description": "",
    "instructions": "",
    "tools": [],
    "metadata": {},
    "temperature": 1.0,
    "top_p": 1.0,
    "response_format": "auto",
    "reasoning_effort": None,
    "file_ids": [],
}
_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_-]*$")


class _Frozen(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Change(_Frozen):
    """What the plan does to one assistant.

    ``before`` is the normalized live object (None for a create), ``after`` the normalized
    desired state (None for a delete; for an update, ignored fields keep their live value).
    ``changed`` holds dotted field paths (``temperature``, ``tools[1].function.parameters``);
    for a create, the top-level fields the create body sets. ``body`` is the exact request
    body apply sends (create or modify); None for delete and noop.
    """

    key: str
    id: str | None = None
    action: Action
    before: dict[str, Any] | None = None
    after: dict[str, Any] | None = None
    changed: tuple[str, ...] = ()
    body: dict[str, Any] | None = None
    prevent_destroy: bool = False
    moved_from: str | None = None
    ignore_changes: tuple[str, ...] = ()

    @property
    def changed_fields(self) -> tuple[str, ...]:
        """The top-level fields of :attr:`changed`, first-seen order, without duplicates."""
        return tuple(dict.fromkeys(top_field(p) for p in self.changed))

    @property
    def display_name(self) -> str | None:
        """The assistant's display name, from the desired state, else from the live one."""
        for side in (self.after, self.before):
            if side and side.get("name"):
                return str(side["name"])
        return None


class Ignored(_Frozen):
    """A live assistant the plan leaves alone: unmanaged, or another project's."""

    id: str
    name: str | None = None
    owner: str | None = None
    """The raw ownership label value, when there is one."""
    reason: Literal["unmanaged", "other_project"]


class Problem(_Frozen):
    """Why the plan must not be applied as is."""

    kind: Literal["label_conflict", "prevent_destroy", "moved_from"]
    keys: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    message: str


class Plan(_Frozen):
    """Every change, in a fixed order: creates, updates, deletes, noops, each sorted by key."""

    format_version: Literal["1"] = FORMAT_VERSION
    project: str
    api_version: ApiVersion = "v2"
    changes: tuple[Change, ...] = ()
    ignored: tuple[Ignored, ...] = ()
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()

    def of(self, action: Action) -> tuple[Change, ...]:
        return tuple(c for c in self.changes if c.action == action)

    @property
    def creates(self) -> tuple[Change, ...]:
        return self.of("create")

    @property
    def updates(self) -> tuple[Change, ...]:
        return self.of("update")

    @property
    def deletes(self) -> tuple[Change, ...]:
        return self.of("delete")

    @property
    def noops(self) -> tuple[Change, ...]:
        return self.of("noop")

    @property
    def counts(self) -> dict[str, int]:
        """``{"create": n, "update": n, "delete": n, "noop": n}``."""
        counts: dict[str, int] = dict.fromkeys(ACTIONS, 0)
        for c in self.changes:
            counts[c.action] += 1
        return counts

    @property
    def has_changes(self) -> bool:
        return any(c.action != "noop" for c in self.changes)

    @property
    def is_safe(self) -> bool:
        return not self.problems

    def change_for(self, key: str) -> Change | None:
        return next((c for c in self.changes if c.key == key), None)

    def raise_if_unsafe(self) -> None:
        """Raise :class:`PlanError` naming every problem, when there is any."""
        if not self.problems:
            return
        listed = "; ".join(p.message for p in self.problems)
        n = len(self.problems)
        raise PlanError(f"Refusing this plan, {n} problem{'s' if n > 1 else ''}: {listed}")


class DriftReport(_Frozen):
    """A plan read as a report: what differs between live state and the manifests."""

    format_version: Literal["1"] = FORMAT_VERSION
    project: str
    changed: tuple[Change, ...] = ()
    """Managed assistants changed out of band (updates; ``before`` is live, ``after`` the
    manifest)."""
    missing: tuple[Change, ...] = ()
    """Manifests with no live assistant carrying their label (deleted out of band, or never
    applied: a stateless tool cannot tell which)."""
    orphaned: tuple[Change, ...] = ()
    """Live assistants labelled for this project whose key no manifest has."""
    problems: tuple[Problem, ...] = ()
    ignored: tuple[Ignored, ...] = ()
    """Unmanaged and other projects' assistants: informational, never drift."""

    @property
    def in_sync(self) -> bool:
        return not (self.changed or self.missing or self.orphaned or self.problems)


def drift_report(plan: Plan) -> DriftReport:
    """Read a plan as a drift report."""
    return DriftReport(
        project=plan.project,
        changed=plan.updates,
        missing=plan.creates,
        orphaned=plan.deletes,
        problems=plan.problems,
        ignored=plan.ignored,
    )


def compute_plan(
    manifests: Sequence[Manifest],
    live: Iterable[Mapping[str, Any]],
    project: str,
    *,
    api_version: str = "v2",
) -> Plan:
    """The plan that makes the live assistants of ``project`` match ``manifests``.

    ``api_version`` is the host's dialect, ``"v2"`` or ``"v1"``. Raises :class:`PlanError`
    only for inputs the loader should have refused (two manifests with the same key, an
    unknown dialect); every other problem is recorded in :attr:`Plan.problems`.
    """
    planner = Planner(manifests, project, api_version=api_version)
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
        self, manifests: Iterable[Manifest], project: str, *, api_version: str = "v2"
    ) -> None:
        if api_version not in ("v1", "v2"):
            raise PlanError(f"Unknown Assistants API version '{api_version}'; use v1 or v2.")
        self.project = project
        self.dialect: ApiVersion = "v1" if api_version == "v1" else "v2"
        self.pending: dict[str, Manifest] = {}
        """Manifests whose change is not made yet, in manifest order."""
        for m in manifests:
            if m.key in self.pending:
                raise PlanError(f"Two manifests have the key '{m.key}'; keys must be unique.")
            self.pending[m.key] = m
        self.keys = list(self.pending)
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
        owner = owner_of(dict(obj))
        if owner is None or owner[0] != self.project:
            metadata = obj.get("metadata")
            label = metadata.get(OWNER_KEY) if isinstance(metadata, Mapping) else None
            self.ignored.append(
                Ignored(
                    id=str(obj.get("id")),
                    name=obj.get("name") or None,
                    owner=label if isinstance(label, str) else None,
                    reason="unmanaged" if owner is None else "other_project",
                )
            )
            return
        key = owner[1]
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

        order = {a: i for i, a in enumerate(ACTIONS)}
        changes.sort(key=lambda c: (order[c.action], c.key))
        return Plan(
            project=project,
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
    for field in WRITE_ONLY_FIELDS:
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
    body: dict[str, Any] | None = None
    if changed:
        api = create_body(m, project, api_version=api_version)
        body = {}
        for field in dict.fromkeys(top_field(p) for p in changed):
            if field == "metadata":
                body[field] = dict(after["metadata"])
            elif field == "tool_resources":
                body[field] = _tool_resources_body(api.get(field), before[field], after[field])
            elif field in api:
                body[field] = api[field]
            else:
                body[field] = _API_DEFAULTS.get(field)
        for field in WRITE_ONLY_FIELDS:
            if field in api and field not in before and field not in ignored:
                body[field] = api[field]
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


def _tool_resources_body(
    wanted: Any, live: Mapping[str, Any], desired: Mapping[str, Any]
) -> dict[str, Any]:
    body: dict[str, Any] = dict(wanted) if isinstance(wanted, Mapping) else {}
    if "code_interpreter" in live and "code_interpreter" not in desired:
        body["code_interpreter"] = {"file_ids": []}
    if "file_search" in live and "file_search" not in desired:
        body["file_search"] = {"vector_store_ids": []}
    return body


def create_body(m: Manifest, project: str, *, api_version: ApiVersion = "v2") -> dict[str, Any]:
    """The create request body: the fields the manifest sets, plus the ownership label.

    Unset and null fields are left out (the API fills in its defaults, which the canonical
    form equates with unset); so are fields the dialect does not have. For v1 the manifest's
    v2 spellings are translated first (:func:`assistctl.config.dialect.to_v1`).
    """
    api = m.api_body()
    if api_version == "v1":
        api = to_v1(api)
    fields = api_fields(api_version)
    body: dict[str, Any] = {}
    for field in fields:
        value = api.get(field)
        if field == "metadata":
            body[field] = {**(value or {}), OWNER_KEY: make_label(project, m.key)}
        elif value is not None:
            body[field] = _prune(field, value)
    return body


def _prune(field: str, value: Any) -> Any:
    """Drop nulls from the API's own structure (never inside a JSON schema): null == unset."""
    if field == "tools" and isinstance(value, list):
        tools = []
        for tool in value:
            tool = _drop_none(tool)
            for part in ("function", "file_search"):
                if isinstance(tool.get(part), dict):
                    tool[part] = _drop_none(tool[part])
            fs = tool.get("file_search")
            if isinstance(fs, dict) and isinstance(fs.get("ranking_options"), dict):
                fs["ranking_options"] = _drop_none(fs["ranking_options"])
            tools.append(tool)
        return tools
    if field == "tool_resources" and isinstance(value, dict):
        return {k: _drop_none(v) for k, v in value.items() if v is not None}
    if field == "response_format" and isinstance(value, dict):
        rf = _drop_none(value)
        if isinstance(rf.get("json_schema"), dict):
            rf["json_schema"] = _drop_none(rf["json_schema"])
        return rf
    return value


def _drop_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: v for k, v in value.items() if v is not None}
    return value


# ---------------------------------------------------------------------------- field paths


def top_field(path: str) -> str:
    """``tools[1].function.parameters`` -> ``tools``."""
    return re.split(r"[.\[]", path, maxsplit=1)[0]


def format_path(parts: Sequence[str | int]) -> str:
    """``["tools", 1, "function"]`` -> ``tools[1].function``; odd keys are quoted."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif not out:
            out = part
        elif _IDENT.match(part):
            out += f".{part}"
        else:
            out += f"[{canonical_json(part)}]"
    return out


_MISSING = object()


def diff_paths(
    before: Mapping[str, Any], after: Mapping[str, Any], *, fields: Sequence[str] | None = None
) -> list[str]:
    """Dotted paths of what differs between two canonical forms, in field order.

    Tools are matched by identity (type, and function name) rather than by position, so
    inserting a tool reports ``tools[0]`` rather than every later index; indexes refer to
    ``after`` for changed and added tools and to ``before`` for removed ones, and a pure
    reordering reports ``tools``.
    """
    if canonical_json(dict(before)) == canonical_json(dict(after)):
        # perf: the common case (a noop), one comparison instead of one per field; equal
        # JSON texts mean no field differs under _differs' rules either.
        # benchmarks/plan_phases.py (see benchmarks/README.md, plan scaling).
        return []
    order = list(fields or ())
    order += [f for f in (*before, *after) if f not in order]
    paths: list[str] = []
    for field in order:
        old, new = before.get(field, _MISSING), after.get(field, _MISSING)
        if not _differs(field, old, new):
            continue
        if old is _MISSING or new is _MISSING or field not in _STRUCTURED:
            paths.append(field)
        elif field == "tools" and isinstance(old, list) and isinstance(new, list):
            paths += _tool_paths(old, new)
        else:
            paths += _deep_paths(old, new, [field], _PATH_DEPTH[field])
    return list(dict.fromkeys(paths))


def _differs(field: str, old: Any, new: Any) -> bool:
    if field in TEXT_FIELDS or isinstance(old, str) or isinstance(new, str):
        return bool(old != new or type(old) is not type(new))
    # JSON text equality: unlike ==, it tells True from 1 and 1 from "1".
    return canonical_json(old if old is not _MISSING else "\0missing") != canonical_json(
        new if new is not _MISSING else "\0missing"
    )


def _deep_paths(old: Any, new: Any, prefix: list[str | int], depth: int) -> list[str]:
    # perf: imported here so that importing the models (render, a saved plan) stays light;
    # benchmarks/startup.py (see benchmarks/README.md, start-up).
    from deepdiff import DeepDiff

    diff = DeepDiff(old, new, view="tree", verbose_level=0)
    paths: list[str] = []
    for levels in diff.values():
        for level in levels:
            parts = prefix + list(level.path(output_format="list"))
            paths.append(format_path(parts[:depth]))
    if not paths:
        paths.append(format_path(prefix))
    return sorted(dict.fromkeys(paths), key=_path_sort_key)


def _path_sort_key(path: str) -> list[tuple[int, int, str]]:
    return [(0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"[.\[\]]+", path) if p]


def _identities(tools: Sequence[Any]) -> list[tuple[Any, ...]]:
    seen: dict[tuple[Any, ...], int] = defaultdict(int)
    out = []
    for tool in tools:
        if isinstance(tool, Mapping):
            fn = tool.get("function")
            name = fn.get("name") if isinstance(fn, Mapping) else None
            base: tuple[Any, ...] = (str(tool.get("type")), name)
        else:
            base = ("?", canonical_json(tool))
        out.append((*base, seen[base]))
        seen[base] += 1
    return out


def _tool_paths(old: list[Any], new: list[Any]) -> list[str]:
    old_ids, new_ids = _identities(old), _identities(new)
    depth = _PATH_DEPTH["tools"]
    if old_ids == new_ids:
        paths: list[str] = []
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            if canonical_json(a) != canonical_json(b):
                paths += _deep_paths(a, b, ["tools", i], depth)
        return paths
    where = {ident: i for i, ident in enumerate(old_ids)}
    paths = []
    common_new = []
    for j, ident in enumerate(new_ids):
        found = where.get(ident)
        if found is None:
            paths.append(format_path(["tools", j]))
            continue
        common_new.append(ident)
        if canonical_json(old[found]) != canonical_json(new[j]):
            paths += _deep_paths(old[found], new[j], ["tools", j], depth)
    present = set(new_ids)
    for i, ident in enumerate(old_ids):
        if ident not in present:
            paths.append(format_path(["tools", i]))
    if [ident for ident in old_ids if ident in present] != common_new:
        paths.insert(0, "tools")
    return paths
