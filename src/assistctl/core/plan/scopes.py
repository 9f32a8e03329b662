"""Other scopes' live assistants: how the plan lists them, and a renamed project or
environment told apart from a new one.

An assistant labelled for another project is ``other_project``; for this project's other
environment (or for the project without environment, when this plan has one, and the
reverse), ``other_environment``: the plan never touches either.

Renaming ``project:`` (or an environment, or declaring environments for the first time)
changes the ownership scope, so the plan finds none of its assistants and would create a
full copy beside the old ones. When no live assistant carries this scope's label but some
carry another scope's label *for keys these manifests have*, the plan says so and how to
keep them, instead of a silent copy. The project's other declared environments are
siblings, not candidates: applying prod for the first time beside dev is no rename. Pure.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from assistctl.core.plan.model import Ignored
from assistctl.labels import OWNER_KEY, Label, split_scope

MAX_HINTS = 3


def ignored_entry(obj: Mapping[str, Any], label: Label | None, scope: str) -> Ignored:
    """How the plan of ``scope`` lists a live assistant it leaves alone."""
    metadata = obj.get("metadata")
    value = metadata.get(OWNER_KEY) if isinstance(metadata, Mapping) else None
    if label is None:
        reason = "unmanaged"
    elif label.project == split_scope(scope)[0]:
        reason = "other_environment"
    else:
        reason = "other_project"
    return Ignored(
        id=str(obj.get("id")),
        name=obj.get("name") or None,
        owner=value if isinstance(value, str) else None,
        reason=reason,
    )


class OtherScopes:
    """Counts the live assistants of other scopes whose key is one of the manifests'."""

    def __init__(self, scope: str, keys: Iterable[str], siblings: Iterable[str] = ()) -> None:
        self.scope = scope
        self.keys = frozenset(keys)
        project = split_scope(scope)[0]
        self.siblings = frozenset(f"{project}@{name}" for name in siblings)
        self.counts: Counter[str] = Counter()

    def add(self, label: Label | None) -> None:
        if label is None:
            return
        scope = label.scope
        if scope != self.scope and scope not in self.siblings and label.key in self.keys:
            self.counts[scope] += 1

    def hints(self, own_live: int, creates: int) -> list[str]:
        """Warnings for a plan that finds none of its own assistants but creates some."""
        if own_live or not creates or not self.counts:
            return []
        project, environment = split_scope(self.scope)
        ranked = sorted(self.counts.items(), key=lambda item: (-item[1], item[0]))
        return [_hint(project, environment, other, count) for other, count in ranked[:MAX_HINTS]]


def _hint(project: str, environment: str | None, other: str, count: int) -> str:
    other_project, other_environment = split_scope(other)
    mine = f"{project}@{environment}" if environment else project
    head = f"no live assistants carry this scope's label ({mine}); {count} carry "
    if other_project != project:
        what, question = f"labels of project '{other_project}'", "did you rename the project?"
        back = f"put 'project: {other_project}' back"
    elif other_environment is None:
        what = "this project's labels from before it declared environments"
        question = "did you just declare environments?"
        back = "apply without environments"
    elif environment is None:
        what = f"labels of this project's environment '{other_environment}'"
        question = "did you remove environments: from assistctl.yaml?"
        back = f"pass --env {other_environment}"
    else:
        what = f"labels of this project's environment '{other_environment}'"
        question = "did you rename the environment?"
        back = f"rename the environment back to '{other_environment}'"
    return (
        f"{head}{what} ({other}) for keys of these manifests: {question} Applying creates new "
        f"assistants beside them; to keep them, {back}, or adopt each one with "
        "'assistctl import KEY=ID --force'"
    )
