"""The mass-delete guard: a plan deleting a large share of the managed assistants needs a
second word (``--allow-mass-delete``), on the model of octoDNS's ``TooMuchChange``.

The defaults (more than 30% of at least 10 managed assistants) come from the trusted side;
the project's policy (``assistctl.yaml``, written by anyone who can open a pull request) may
only tighten them: :meth:`DeleteGuard.tightened` keeps the stricter of each pair. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from assistctl.config.project import MAX_DELETE_PERCENT, MIN_MANAGED_FOR_DELETE_CHECK
from assistctl.errors import TooMuchChange


@dataclass(frozen=True)
class DeleteGuard:
    max_percent: float = MAX_DELETE_PERCENT
    min_managed: int = MIN_MANAGED_FOR_DELETE_CHECK

    def tightened(self, max_percent: float | None, min_managed: int | None) -> DeleteGuard:
        """This guard with a policy's limits where they are stricter, never looser."""
        return DeleteGuard(
            self.max_percent if max_percent is None else min(self.max_percent, max_percent),
            self.min_managed if min_managed is None else min(self.min_managed, min_managed),
        )

    def check(self, deletes: int, managed: int) -> None:
        """Raise :class:`TooMuchChange` when ``deletes`` of ``managed`` is too many."""
        if deletes <= 0 or managed < self.min_managed:
            return
        share = 100.0 * deletes / managed
        if share <= self.max_percent:
            return
        raise TooMuchChange(
            f"Refusing this plan: it deletes {deletes} of the {managed} managed assistants "
            f"({share:.0f}%), more than the {self.max_percent:g}% allowed without a second "
            "word; review the deletes, then pass --allow-mass-delete to apply them "
            "(the project policy can lower this limit, not raise it)."
        )
