"""What an apply did, change by change, and how it tells its progress as it goes."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Protocol

from assistctl.core.plan import Change


@dataclass(frozen=True)
class Outcome:
    """How one change ended."""

    change: Change
    ok: bool
    id: str | None = None
    error: str | None = None
    adopted: bool = False
    """A create whose answer was lost, found again by its label instead of re-created."""
    unknown: bool = False
    """Interrupted after it may have reached the host: done or not, nobody knows yet."""
    note: str | None = None
    """What else to say about a change that ended well (a duplicate already gone)."""

    @property
    def verb(self) -> str:
        return {"create": "created", "update": "updated", "delete": "deleted"}.get(
            self.change.action, self.change.action
        )


@dataclass
class ApplyReport:
    """What an apply did. ``interrupted`` when Ctrl-C stopped it before the end."""

    outcomes: list[Outcome] = field(default_factory=list)
    not_started: list[Change] = field(default_factory=list)
    unknown: list[Change] = field(default_factory=list)
    """Sent, then interrupted before their answer came: they may or may not be done."""
    warnings: list[str] = field(default_factory=list)
    interrupted: bool = False
    retries: int = 0
    requests: int = 0
    lowest_parallelism: int = 0

    @property
    def failed(self) -> list[Outcome]:
        return [o for o in self.outcomes if not o.ok]

    @property
    def succeeded(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.ok]

    @property
    def ok(self) -> bool:
        return (
            not self.failed and not self.interrupted and not self.not_started and not self.unknown
        )


class Progress(Protocol):
    def start(self, total: int) -> None: ...
    def finished(self, outcome: Outcome, done: int, total: int, failures: int) -> None: ...
    def close(self) -> None: ...


class Silent:
    """A progress that shows nothing."""

    def start(self, total: int) -> None:
        pass

    def finished(self, outcome: Outcome, done: int, total: int, failures: int) -> None:
        pass

    def close(self) -> None:
        pass
