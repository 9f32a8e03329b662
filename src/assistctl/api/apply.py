"""Execute a plan: bounded concurrency, independent changes, no duplicates, nothing lost.

Order: creates and updates first (concurrently, at most ``parallelism`` in flight, narrowed
AIMD-style while the host answers 429), deletes after, so a renamed or replaced assistant
exists before its predecessor goes. Each change is independent: a failure is recorded and
the others go on. Only what the plan holds is executed, nothing is recomputed here.

The live side is trusted, not the plan (which may come from a file anyone could rewrite):
right before each modify or delete the assistant is read again and the change goes on only
if it still carries this scope's label for that key (and, for a delete, no recorded
``prevent_destroy``): :func:`assistctl.core.plan.ownership.refusal`. That is one GET more per
update and delete. After its creates, an apply lists once and deletes the newer copies of the
keys it created (another apply may have created them at the same time), keeping the oldest:
the rule every applier agrees on, so concurrent applies converge without talking.

A create whose answer was lost (the client raises :class:`OutcomeUnknown`: timeout, reset or
5xx after the request left) is never blindly retried: after the client's backoff the
assistants are listed and one carrying the change's ownership label is adopted; only when
none exists is the create sent again, at most ``max_retries`` times (``--max-retries``). Updates send each changed field whole and deletes are idempotent, so re-running after
any failure or kill converges.

Ctrl-C (:meth:`Applier.stop`) sends nothing more at once: no change starts, and the client
sends no retry or lookup. Calls already on the wire get :data:`GRACE_SECONDS` to answer;
those still unanswered then, and writes interrupted between attempts, are reported as
*unknown* (a later run finds a lost create by its label) and the apply ends without waiting
for them.
"""

from __future__ import annotations

import queue
import signal
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from contextlib import AbstractContextManager, contextmanager, nullcontext
from typing import Any, Protocol

from assistctl.api.limiter import AdaptiveLimit, Throttles
from assistctl.api.report import ApplyReport, Outcome, Progress, Silent
from assistctl.core.plan import Change, Plan
from assistctl.core.plan.ownership import duplicate_repairs, kept_refusal, rank, refusal
from assistctl.errors import AssistctlError, Interrupted, NotFoundError, OutcomeUnknown, Stopped
from assistctl.labels import owner_of

DEFAULT_PARALLELISM = 4
GRACE_SECONDS = 1.5
"""How long, after Ctrl-C, the calls already sent are waited for before the apply ends."""
_ALREADY_GONE = "already deleted (by a concurrent apply)"

__all__ = [
    "DEFAULT_PARALLELISM",
    "GRACE_SECONDS",
    "Applier",
    "ApplyReport",
    "AssistantsApi",
    "Outcome",
    "Progress",
    "apply_plan",
]


class AssistantsApi(Protocol):
    """The part of :class:`assistctl.api.client.AssistantsClient` that apply uses."""

    max_retries: int
    """Also bounds how often a create whose answer was lost is looked up and re-sent."""

    def pause(self, attempt: int, retry_after: float | None = None) -> None: ...
    def cancel(self) -> None: ...
    def list_all(self) -> list[dict[str, Any]]: ...
    def get(self, assistant_id: str) -> dict[str, Any]: ...
    def create(self, body: dict[str, Any]) -> dict[str, Any]: ...
    def modify(self, assistant_id: str, body: dict[str, Any]) -> dict[str, Any]: ...
    def delete(self, assistant_id: str) -> dict[str, Any]: ...


class Applier:
    """Runs the changes of one plan against one client."""

    def __init__(
        self,
        client: AssistantsApi,
        plan: Plan,
        *,
        parallelism: int = DEFAULT_PARALLELISM,
        progress: Progress | None = None,
        throttles: Throttles | None = None,
        scope: str | None = None,
    ) -> None:
        """``throttles``: where the client reports 429s (its ``on_throttle``); while the plan
        runs they narrow :attr:`limit`. ``scope``: the ownership scope the live checks
        require, from the trusted configuration (default: the plan's, when the plan was
        computed here)."""
        if parallelism < 1:
            raise ValueError("parallelism must be at least 1")
        self.client = client
        self.plan = plan
        self.scope = scope if scope is not None else plan.scope
        self.parallelism = parallelism
        self.limit = AdaptiveLimit(parallelism)
        self.progress: Progress = progress or Silent()
        self.throttles = throttles
        self._stop = threading.Event()
        self._events: queue.SimpleQueue[Future[Outcome | None] | None] = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._done = 0
        self._failures = 0
        self._total = 0

    def stop(self) -> None:
        """Send nothing more; the calls in flight get :data:`GRACE_SECONDS` to finish and
        are reported. What Ctrl-C does; safe in a signal handler."""
        self._stop.set()
        self.client.cancel()
        self._events.put(None)  # wakes the collecting loop; put() is safe in a signal handler

    def run(self) -> ApplyReport:
        """Execute every change; Ctrl-C stops new calls, waits for those in flight."""
        report = ApplyReport()
        work = [c for c in self.plan.changes if c.action in ("create", "update")]
        deletes = [c for c in self.plan.changes if c.action == "delete"]
        self._total = len(work) + len(deletes)
        self.progress.start(self._total)
        pool = ThreadPoolExecutor(max_workers=self.parallelism)
        try:
            with self._ctrl_c_stops(), self._throttled():
                self._run_phase(pool, work, report)
                if self._stop.is_set():
                    report.not_started += deletes
                else:
                    deletes += self._repairs(report, deletes)
                    self._run_phase(pool, deletes, report)
        finally:
            # Stopped: a call still hanging after the grace is not waited for (its worker
            # ends with its timeout, or with the process).
            pool.shutdown(wait=not self._stop.is_set(), cancel_futures=True)
            self.progress.close()
        report.interrupted = self._stop.is_set()
        report.lowest_parallelism = self.limit.lowest
        return report

    def _throttled(self) -> AbstractContextManager[None]:
        return self.throttles.feeding(self.limit) if self.throttles is not None else nullcontext()

    @contextmanager
    def _ctrl_c_stops(self) -> Iterator[None]:
        """Ctrl-C calls :meth:`stop` instead of raising KeyboardInterrupt wherever the main
        thread is: raised while an outcome is being recorded, it would drop that change from
        the report or count it twice. Only from the main thread and over Python's default
        handler (a caller's own handler, or an ignored SIGINT, is left alone)."""
        if (
            threading.current_thread() is not threading.main_thread()
            or signal.getsignal(signal.SIGINT) is not signal.default_int_handler
        ):
            yield
            return
        previous = signal.signal(signal.SIGINT, lambda signum, frame: self.stop())
        try:
            yield
        finally:
            signal.signal(signal.SIGINT, previous)

    def _run_phase(
        self, pool: ThreadPoolExecutor, changes: Sequence[Change], report: ApplyReport
    ) -> None:
        # perf: finished futures arrive on a queue; concurrent.futures.wait() re-installs a
        # waiter on every pending future per call, O(n^2) work under the GIL that slowed the
        # workers; benchmarks/apply.py. The timeout keeps a Ctrl-C on Windows noticed.
        events: queue.SimpleQueue[Future[Outcome | None] | None] = queue.SimpleQueue()
        self._events = events
        futures: dict[Future[Outcome | None], Change] = {}
        for change in changes:
            future = pool.submit(self._one, change)
            futures[future] = change
            future.add_done_callback(events.put)
        pending = set(futures)
        while pending and not self._stop.is_set():
            try:
                finished = events.get(timeout=0.2)
                if finished is not None:
                    # Discarded first: an interrupt inside _collect must not collect it twice.
                    pending.discard(finished)
                    self._collect(finished, futures[finished], report)
            except queue.Empty:
                continue
            except KeyboardInterrupt:  # not from Ctrl-C (see _ctrl_c_stops): treated alike
                self.stop()
        # Stopped: what has not started never will; calls already sent get a short grace so
        # their outcome is reported, and are unknown past it. In plan order, for the report.
        left = [f for f in futures if f in pending]
        for future in left:
            future.cancel()
        grace_ends = time.monotonic() + GRACE_SECONDS
        for future in left:
            if future.cancelled():
                report.not_started.append(futures[future])
                continue
            try:
                future.result(timeout=max(0.0, grace_ends - time.monotonic()))
            except FutureTimeout:
                report.unknown.append(futures[future])
                continue
            self._collect(future, futures[future], report)

    def _repairs(self, report: ApplyReport, planned: Sequence[Change]) -> list[Change]:
        """The deletes of the newer copies of the keys this apply created, from one listing
        (concurrent applies create the same keys; each removes all but the oldest)."""
        created = {o.change.key for o in report.outcomes if o.ok and o.change.action == "create"}
        if not created:
            return []
        try:
            live = self.client.list_all()
        except AssistctlError as err:
            report.warnings.append(f"the check for duplicates after the creates failed: {err}")
            return []
        known = {c.id for c in planned}
        repairs = [c for c in duplicate_repairs(live, self.scope, created) if c.id not in known]
        with self._lock:
            self._total += len(repairs)
        return repairs

    def _collect(self, future: Future[Outcome | None], change: Change, report: ApplyReport) -> None:
        outcome = future.result()
        if outcome is None:
            report.not_started.append(change)
            return
        if outcome.unknown:
            report.unknown.append(change)
            return
        report.outcomes.append(outcome)
        with self._lock:
            self._done += 1
            self._failures += 0 if outcome.ok else 1
            done, failures = self._done, self._failures
        self.progress.finished(outcome, done, self._total, failures)

    def _one(self, change: Change) -> Outcome | None:
        if self._stop.is_set():
            return None
        with self.limit.slot():
            if self._stop.is_set():
                return None
            try:
                outcome = self._dispatch(change)
            except Interrupted as err:
                # Ctrl-C: before anything was sent it did not start; after, it is unknown.
                if not err.landed:
                    return None
                return Outcome(change=change, ok=False, id=change.id, error=str(err), unknown=True)
            except AssistctlError as err:
                return Outcome(change=change, ok=False, id=change.id, error=str(err))
        self.limit.succeeded()
        return outcome

    def _dispatch(self, change: Change) -> Outcome:
        body = dict(change.body or {})
        if change.action == "create":
            return self._create(change, body)
        if change.id is None:
            raise AssistctlError(f"the plan has no assistant id for '{change.key}'")
        gone = self._confirm(change)
        if gone is not None:
            return Outcome(change=change, ok=True, id=change.id, note=gone)
        if change.action == "update":
            self.client.modify(change.id, body)
            return Outcome(change=change, ok=True, id=change.id)
        try:
            self.client.delete(change.id)
        except NotFoundError:
            if not change.duplicate_of:
                raise
            return Outcome(change=change, ok=True, id=change.id, note=_ALREADY_GONE)
        return Outcome(change=change, ok=True, id=change.id)

    def _confirm(self, change: Change) -> str | None:
        """Read the assistant again and raise unless this change may still touch it; for a
        duplicate repair already done by someone else, say so instead (None: go on)."""
        assert change.id is not None
        try:
            live = self.client.get(change.id)
        except NotFoundError:
            if change.duplicate_of:
                return _ALREADY_GONE
            raise AssistctlError(
                "gone: it was deleted since the plan was made; left as it is"
            ) from None
        reason = refusal(change, live, self.scope)
        if reason is None and change.duplicate_of:
            try:
                kept: dict[str, Any] | None = self.client.get(change.duplicate_of)
            except NotFoundError:
                kept = None
            reason = kept_refusal(change, kept, live, self.scope)
        if reason is not None:
            raise AssistctlError(reason)
        return None

    def _create(self, change: Change, body: dict[str, Any]) -> Outcome:
        lost = 0
        while True:
            try:
                created = self.client.create(body)
                return Outcome(change=change, ok=True, id=str(created.get("id")))
            except OutcomeUnknown as err:
                # Back off first, as for any retry: a 5xx means an overloaded host (honour
                # its retry-after), and a create still being committed after a timeout then
                # shows up in the lookup instead of being sent twice.
                try:
                    self.client.pause(lost, err.retry_after)
                    lost += 1
                    found = self._find(change.key)
                except Stopped as stop:
                    raise type(stop)(str(stop), landed=True) from None  # the create went out
                if found is not None:
                    return Outcome(change=change, ok=True, id=found, adopted=True)
                if lost > self.client.max_retries:
                    raise AssistctlError(
                        f"{err} It was not found by its label after {lost} tries; run apply again."
                    ) from None

    def _find(self, key: str) -> str | None:
        """The id of the live assistant carrying this scope's label for ``key``, if any."""
        wanted = (self.scope, key)
        matches = [obj for obj in self.client.list_all() if owner_of(obj) == wanted]
        # The one the duplicate rule keeps; the others go after the creates.
        return str(min(matches, key=rank)["id"]) if matches else None


def apply_plan(
    client: AssistantsApi,
    plan: Plan,
    *,
    parallelism: int = DEFAULT_PARALLELISM,
    progress: Progress | None = None,
    throttles: Throttles | None = None,
    on_applier: Callable[[Applier], None] | None = None,
    scope: str | None = None,
) -> ApplyReport:
    """Execute ``plan`` with ``client``; see :class:`Applier`. ``on_applier`` receives the
    applier before it runs (to :meth:`~Applier.stop` it)."""
    applier = Applier(
        client,
        plan,
        parallelism=parallelism,
        progress=progress,
        throttles=throttles,
        scope=scope,
    )
    if on_applier is not None:
        on_applier(applier)
    report = applier.run()
    retries = getattr(client, "retries", 0)
    requests = getattr(client, "requests_made", 0)
    report.retries = retries if isinstance(retries, int) else 0
    report.requests = requests if isinstance(requests, int) else 0
    return report
