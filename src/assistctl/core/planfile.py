"""Saved plans: what ``plan --out FILE`` writes and ``apply FILE`` executes exactly.

A saved plan records, besides the plan itself, where it was made (project, environment,
provider, base URL, dialect), a fingerprint of every live assistant the plan touches as it
was read, and a digest of its own content. ``apply FILE`` refuses a file whose digest does
not match (it was edited), one made for another project, environment or host than the one
this apply targets, and one whose touched assistants moved since (naming each assistant and
field) — and only those: other assistants may change.

The file is untrusted input (a job's artifact that others can write). Its digest is an
unkeyed SHA-256: it catches an accidental edit, not an attacker, who can write a new one.
So nothing in the file decides where requests go or whose assistants may be touched: apply
takes the host, project and environment from its own configuration and compares
(:func:`check_origin`), recounts the managed assistants for the mass-delete guard, refuses
bodies that would write another scope's label (:func:`checked_against_live`), and reads each
assistant again right before modifying or deleting it (:mod:`assistctl.api.apply`).

Pure: reading and writing the file is the caller's business (:func:`dumps`, :func:`loads`).
The API key is never part of a saved plan.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, ValidationError

from assistctl import __version__
from assistctl.core.normalize import fingerprint, normalize_live
from assistctl.core.plan import Plan, diff_paths
from assistctl.core.plan.ownership import foreign_bodies, managed_keys
from assistctl.errors import StalePlanError
from assistctl.labels import make_label, owner_of

KIND: Literal["assistctl-plan"] = "assistctl-plan"


class Origin(BaseModel):
    """Where a plan was made: apply refuses to run it anywhere else."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    project: str
    provider: str
    base_url: str
    api_version: str
    local_state: str | None = None
    environment: str | None = None
    """The environment of ``assistctl.yaml`` (``--env``); None for a project without."""


class SavedPlan(BaseModel):
    """The content of a plan file. ``digest`` covers every other field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    kind: Literal["assistctl-plan"] = KIND
    format_version: Literal["1"] = "1"
    assistctl_version: str = __version__
    created_at: str
    origin: Origin
    manifests_digest: str
    fingerprints: dict[str, str]
    """Assistant id -> fingerprint of its normalized live state when the plan was made."""
    plan: Plan
    digest: str = ""


def manifests_digest(bodies: Iterable[Mapping[str, Any]]) -> str:
    """A digest of the manifests a plan was computed from (informational, for audits)."""
    canonical = json.dumps(sorted(json.dumps(b, sort_keys=True) for b in bodies))
    return hashlib.sha256(canonical.encode()).hexdigest()


def _digest(saved: SavedPlan) -> str:
    content = saved.model_dump(mode="json", exclude={"digest"})
    return hashlib.sha256(json.dumps(content, sort_keys=True).encode()).hexdigest()


def build(plan: Plan, origin: Origin, manifests_sha: str) -> SavedPlan:
    """A saved plan whose fingerprints are the ``before`` of every change with an id."""
    prints = {c.id: fingerprint(c.before) for c in plan.changes if c.id and c.before is not None}
    saved = SavedPlan(
        created_at=datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        origin=origin,
        manifests_digest=manifests_sha,
        fingerprints=prints,
        plan=plan,
    )
    return saved.model_copy(update={"digest": _digest(saved)})


def dumps(saved: SavedPlan) -> str:
    return json.dumps(saved.model_dump(mode="json"), indent=2, sort_keys=True) + "\n"


def loads(text: str, source: str) -> SavedPlan:
    """Parse and verify a plan file; raise :class:`StalePlanError` when it cannot be trusted."""
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as err:
        raise StalePlanError(f"{source} is not a plan file: invalid JSON ({err}).") from None
    if not isinstance(data, dict) or data.get("kind") != KIND:
        raise StalePlanError(
            f"{source} is not a plan file written by 'assistctl plan --out' "
            f'(no "kind": "{KIND}").'
        )
    try:
        saved = SavedPlan.model_validate(data)
    except ValidationError as err:
        first = err.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise StalePlanError(
            f"{source} is not a valid plan file ({where}: {first['msg']}); "
            "make a new one with 'assistctl plan --out'."
        ) from None
    if saved.digest != _digest(saved):
        raise StalePlanError(
            f"{source} was edited after 'assistctl plan' wrote it (its digest does not "
            "match); make a new plan instead of editing one."
        )
    return saved


def check_origin(saved: SavedPlan, current: Origin, source: str) -> None:
    """Refuse a plan made for another project, environment, host or dialect than
    ``current``, the target of this apply (from its command line, environment and project
    file)."""
    check_environment(saved, current.environment, source)
    mismatches = [
        f"{field} is '{getattr(current, field)}' but the plan was made for "
        f"'{getattr(saved.origin, field)}'"
        for field in ("project", "base_url", "api_version", "local_state")
        if getattr(current, field) != getattr(saved.origin, field)
    ]
    if mismatches:
        raise StalePlanError(
            f"{source} was made for another target: "
            + "; ".join(mismatches)
            + " (this apply's target comes from the command line, the environment and "
            "assistctl.yaml, never from the plan file)."
        )


def check_environment(saved: SavedPlan, environment: str | None, source: str) -> None:
    """Refuse a plan made for another environment than ``environment`` (this run's
    ``--env``): a prod plan is never applied to dev, nor to prod without saying so."""
    planned = saved.origin.environment
    if planned == environment:
        return
    if planned is None:
        raise StalePlanError(
            f"{source} was made without an environment, but this apply is for environment "
            f"'{environment}'; make the plan with --env {environment}."
        )
    if environment is None:
        raise StalePlanError(
            f"{source} was made for environment '{planned}'; pass --env {planned} (or set "
            "ASSISTCTL_ENV) to apply it there."
        )
    raise StalePlanError(
        f"{source} was made for environment '{planned}', but this apply is for environment "
        f"'{environment}'; apply it with --env {planned}, or make a plan for "
        f"'{environment}'."
    )


def stale_changes(saved: SavedPlan, live: Sequence[Mapping[str, Any]]) -> list[str]:
    """What the plan creates, updates or deletes that moved since it was made, one sentence
    per assistant; empty when current. Assistants the plan leaves alone may change."""
    plan = saved.plan
    by_id = {str(obj.get("id")): obj for obj in live}
    labels = {owner_of(dict(obj)) for obj in live}
    problems: list[str] = []
    for change in plan.changes:
        if change.action == "noop":
            # Not touched by this plan: if it moved, the next plan shows it; this one is
            # still exactly what was reviewed.
            continue
        if change.action == "create":
            if (plan.scope, change.key) in labels:
                label = make_label(plan.scope, change.key)
                problems.append(f"'{change.key}': an assistant labelled {label} now exists")
            continue
        if not change.id or change.id not in saved.fingerprints:
            continue
        current = by_id.get(change.id)
        if current is None:
            problems.append(f"'{change.key}' ({change.id}) was deleted")
            continue
        now = normalize_live(current, api_version=plan.api_version)
        if fingerprint(now) != saved.fingerprints[change.id]:
            moved = diff_paths(change.before or {}, now) or ["(unknown fields)"]
            problems.append(f"'{change.key}' ({change.id}) changed: {', '.join(moved)}")
    return problems


def raise_if_stale(saved: SavedPlan, live: Sequence[Mapping[str, Any]], source: str) -> None:
    problems = stale_changes(saved, live)
    if problems:
        raise StalePlanError(
            f"{source} is stale, live state moved since it was made: "
            + "; ".join(problems)
            + ". Run 'assistctl plan' again."
        )


def checked_against_live(
    saved: SavedPlan, live: Sequence[Mapping[str, Any]], scope: str, source: str
) -> Plan:
    """The saved plan, refused if a create or update would write a label that is not
    ``scope``'s for its key, with its managed count (the mass-delete guard's base) taken
    from ``live`` instead of the file."""
    foreign = foreign_bodies(saved.plan, scope)
    if foreign:
        raise StalePlanError(
            f"{source} cannot be applied: " + "; ".join(foreign) + ". Make a new plan."
        )
    return saved.plan.model_copy(update={"managed": managed_keys(live, scope)})
