"""The plan as data: frozen, serialisable :class:`Plan`, :class:`Change`, :class:`Problem`,
:class:`DriftReport`.

A plan is saved as ``plan.model_dump(mode="json")`` and read back with
:meth:`Plan.model_validate` (:mod:`assistctl.core.planfile`); renderers only read it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from assistctl.core.fields import ApiVersion
from assistctl.core.plan.guard import DeleteGuard
from assistctl.core.plan.paths import top_field
from assistctl.errors import PlanError
from assistctl.labels import scope_of

Action = Literal["create", "update", "delete", "noop"]
ACTIONS: tuple[Action, ...] = ("create", "update", "delete", "noop")

FORMAT_VERSION: Literal["1"] = "1"


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
    """Create, update, noop: the manifest's ``lifecycle.prevent_destroy``; delete: the flag
    recorded in the live assistant's label."""
    moved_from: str | None = None
    ignore_changes: tuple[str, ...] = ()
    duplicate_of: str | None = None
    """A delete that repairs a duplicate: the id of the assistant kept for this key (the
    oldest carrying the same label, by ``created_at`` then id)."""

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


IgnoredReason = Literal["unmanaged", "other_project", "other_environment"]


class Ignored(_Frozen):
    """A live assistant the plan leaves alone: unmanaged, or another project's."""

    id: str
    name: str | None = None
    owner: str | None = None
    """The raw ownership label value, when there is one."""
    reason: IgnoredReason
    """``other_environment``: this project's label, for another environment (or for none)."""


class Problem(_Frozen):
    """Why the plan must not be applied as is."""

    kind: Literal["label_conflict", "prevent_destroy", "moved_from", "reference"]
    """``label_conflict`` is only made when duplicates cannot be repaired in one pass (see
    :mod:`assistctl.core.plan.planner`); plans of 0.1.0 made it for every duplicate.
    ``reference``: a model, file or vector store the host does not have
    (:mod:`assistctl.core.references`)."""
    keys: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    message: str


class PlanTarget(_Frozen):
    """Where a plan (or drift report) was made: every format names it, so a reviewer sees
    which host and project a pull-request comment is about."""

    host: str
    """``host`` or ``host:port`` the requests went to."""
    base_url: str
    project: str
    environment: str | None = None
    """The environment (``--env``), when the project declares environments."""


class Targeting(_Frozen):
    """Path arguments that select some of the project's manifests (as Terraform's -target)."""

    keys: tuple[str, ...]
    """The selected manifests' keys, sorted."""
    manifests: int | None = None
    """How many manifests the project holds; None when no ``assistctl.yaml`` says what the
    project is (file arguments alone)."""

    def sentence(self) -> str:
        """``Targeting 1 of 7 manifests: math-tutor; nothing outside ... deleted.``"""
        n = len(self.keys)
        of = f"{n} of {self.manifests}" if self.manifests is not None else f"{n}"
        noun = "manifest" if (self.manifests or n) == 1 else "manifests"
        listed = ", ".join(self.keys[:20]) + (f" and {n - 20} more" if n > 20 else "")
        return (
            f"Targeting {of} {noun}{': ' + listed if listed else ''}; nothing outside the "
            "selection is created, updated or deleted"
        )


class Plan(_Frozen):
    """Every change, in a fixed order: creates, updates, deletes, noops, each sorted by key."""

    format_version: Literal["1"] = FORMAT_VERSION
    project: str
    """The project the plan was made for (its scope is :attr:`scope`)."""
    environment: str | None = None
    """The environment of ``assistctl.yaml`` the plan was made for; None without one."""
    target: PlanTarget | None = None
    """Where the plan was made: set by the command (None for a plan computed without a host)."""
    api_version: ApiVersion = "v2"
    changes: tuple[Change, ...] = ()
    ignored: tuple[Ignored, ...] = ()
    problems: tuple[Problem, ...] = ()
    warnings: tuple[str, ...] = ()
    managed: int = 0
    """How many keys of this scope have a live assistant (the mass-delete guard's base)."""
    targeting: Targeting | None = None
    """Set when path arguments selected part of the project; None: the whole project."""

    @property
    def scope(self) -> str:
        """The ownership scope: the project, or ``project@environment``."""
        return scope_of(self.project, self.environment)

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

    @property
    def repairs(self) -> tuple[Change, ...]:
        """The deletes that remove duplicates of a key (the kept assistant stays)."""
        return tuple(c for c in self.deletes if c.duplicate_of)

    def change_for(self, key: str) -> Change | None:
        return next((c for c in self.changes if c.key == key and not c.duplicate_of), None)

    def raise_if_unsafe(
        self, *, allow_mass_delete: bool = False, guard: DeleteGuard | None = None
    ) -> None:
        """Raise :class:`PlanError` naming every problem, when there is any; then
        :class:`TooMuchChange` when the plan deletes more than ``guard`` allows, unless
        ``allow_mass_delete`` (the trusted side's second word)."""
        if self.problems:
            listed = "; ".join(p.message for p in self.problems)
            n = len(self.problems)
            raise PlanError(f"Refusing this plan, {n} problem{'s' if n > 1 else ''}: {listed}")
        if not allow_mass_delete:
            (guard or DeleteGuard()).check(len(self.deletes) - len(self.repairs), self.managed)


class DriftReport(_Frozen):
    """A plan read as a report: what differs between live state and the manifests."""

    format_version: Literal["1"] = FORMAT_VERSION
    project: str
    environment: str | None = None
    target: PlanTarget | None = None
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
    def scope(self) -> str:
        """The ownership scope: the project, or ``project@environment``."""
        return scope_of(self.project, self.environment)

    @property
    def in_sync(self) -> bool:
        return not (self.changed or self.missing or self.orphaned or self.problems)


def drift_report(plan: Plan) -> DriftReport:
    """Read a plan as a drift report."""
    return DriftReport(
        project=plan.project,
        environment=plan.environment,
        target=plan.target,
        changed=plan.updates,
        missing=plan.creates,
        orphaned=plan.deletes,
        problems=plan.problems,
        ignored=plan.ignored,
    )
