"""The emulator's store: assistant objects in creation order, optionally persisted to JSON.

Ordering. ``created_at`` has whole-second resolution, so many objects share one second. Every
record also gets a monotonically increasing insertion sequence number, and the sort key is
``(created_at, seq)``: ties are broken by insertion order, so ``order=asc|desc`` and the
``after``/``before`` cursors are exact however many objects share a second (and stay exact if
the clock steps backwards: the record is inserted at its ``created_at`` position).

Cursors of deleted objects. A client paging through a list while another deletes the object it
holds as its cursor should not lose its place, so the sort key of every deleted id is kept as a
tombstone and still works as a cursor. A cursor that never named an assistant is an error
(see :class:`CursorNotFound`).

Persistence. With a state file every change is written to a temporary file in the same
directory, flushed, fsynced and moved over the old file with :func:`os.replace`, which is
atomic on POSIX and Windows: a crash leaves either the old or the new state, never half a file.
The file is read back when the store starts. Two processes sharing one state file are not
coordinated (the last writer wins); the emulator is a single-process test and dev server.

Thread safety: one re-entrant lock guards every read and write; callers receive deep copies.
"""

from __future__ import annotations

import bisect
import contextlib
import json
import os
import secrets
import string
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from assistctl.errors import AssistctlError

STATE_FORMAT_VERSION = 1
_ID_ALPHABET = string.ascii_letters + string.digits
_ID_LENGTH = 24

JsonObject = dict[str, Any]
SortKey = tuple[int, int]


class StateFileError(AssistctlError):
    """The emulator's state file cannot be read or written."""


class CursorNotFound(LookupError):
    """An ``after``/``before`` cursor names no assistant this store has ever held."""

    def __init__(self, param: str, cursor: str) -> None:
        super().__init__(cursor)
        self.param = param
        self.cursor = cursor


def new_id(prefix: str = "asst_") -> str:
    """``asst_`` plus 24 random letters and digits, like OpenAI's ids."""
    return prefix + "".join(secrets.choice(_ID_ALPHABET) for _ in range(_ID_LENGTH))


@dataclass
class Record:
    """One stored assistant.

    ``obj`` is exactly the AssistantObject the API returns. ``extra`` holds fields the API
    accepts but does not return (``reasoning_effort``), kept so that the store is faithful to
    what was sent and so tests can see them through the admin endpoint.
    """

    seq: int
    obj: JsonObject
    extra: JsonObject = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.obj["id"])

    @property
    def key(self) -> SortKey:
        return (int(self.obj["created_at"]), self.seq)

    def copy(self) -> Record:
        return Record(self.seq, _copy_json(self.obj), _copy_json(self.extra))


# perf: the emulator's CPU per list page; benchmarks/plan_phases.py (see
# benchmarks/README.md, plan scaling).
def _copy_json(value: Any) -> Any:
    """``copy.deepcopy`` for JSON values, about twice as fast: every read copies, and a list
    page copies 100 objects on the path of each request."""
    if isinstance(value, dict):
        return {k: _copy_json(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy_json(v) for v in value]
    return value


@dataclass(frozen=True)
class Page:
    records: list[Record]
    has_more: bool


class Store:
    """Thread-safe assistant store. ``state_file=None`` keeps everything in memory."""

    def __init__(
        self,
        state_file: Path | None = None,
        *,
        clock: Callable[[], float] = time.time,
        id_factory: Callable[[], str] = new_id,
    ) -> None:
        self._lock = threading.RLock()
        self._clock = clock
        self._id_factory = id_factory
        self._state_file = state_file
        self._records: dict[str, Record] = {}
        self._keys: list[SortKey] = []  # ascending; parallel to self._ids_by_key
        self._ids_by_key: dict[SortKey, str] = {}
        self._tombstones: dict[str, SortKey] = {}
        self._next_seq = 1
        if state_file is not None and state_file.exists():
            self._load(state_file)

    @property
    def state_file(self) -> Path | None:
        return self._state_file

    # ---- reads -----------------------------------------------------------------------------

    def __len__(self) -> int:
        with self._lock:
            return len(self._records)

    def get(self, assistant_id: str) -> Record | None:
        with self._lock:
            rec = self._records.get(assistant_id)
            return rec.copy() if rec else None

    def all(self) -> list[Record]:
        """Every record, oldest first."""
        with self._lock:
            return [self._records[self._ids_by_key[k]].copy() for k in self._keys]

    def page(
        self,
        *,
        order: str,
        limit: int,
        after: str | None = None,
        before: str | None = None,
        desc_ties_reversed: bool = True,
    ) -> Page:
        """One page of a cursor-paginated list.

        ``after=X`` yields the objects that come after X in the requested order, ``before=X``
        the ones that come before it; with both, the ones strictly between. A page taken with
        only ``before`` is the ``limit`` objects closest to the cursor (still listed in the
        requested order) and ``has_more`` says whether more lie beyond it in that direction;
        otherwise the page starts at the beginning of the window and ``has_more`` says
        whether more follow.

        ``desc_ties_reversed=False`` lists ``order=desc`` newest second first but each
        second's objects in creation order (a host sorting ``created_at DESC, id ASC``).
        """
        if order == "desc" and not desc_ties_reversed:
            return self._page_desc_ties_in_order(limit, after, before)
        with self._lock:
            lo, hi = 0, len(self._keys)
            descending = order == "desc"
            if after is not None:
                key = self._cursor_key("after", after)
                if descending:
                    hi = min(hi, bisect.bisect_left(self._keys, key))
                else:
                    lo = max(lo, bisect.bisect_right(self._keys, key))
            if before is not None:
                key = self._cursor_key("before", before)
                if descending:
                    lo = max(lo, bisect.bisect_right(self._keys, key))
                else:
                    hi = min(hi, bisect.bisect_left(self._keys, key))
            window = self._keys[lo:hi] if lo < hi else []
            if descending:
                window = window[::-1]
            from_end = before is not None and after is None
            chosen = window[-limit:] if from_end else window[:limit]
            has_more = len(window) > len(chosen)
            return Page([self._records[self._ids_by_key[k]].copy() for k in chosen], has_more)

    def _page_desc_ties_in_order(self, limit: int, after: str | None, before: str | None) -> Page:
        """:meth:`page` for ``order=desc`` with ties in creation order (no index: a test
        option, O(n) per page)."""
        with self._lock:

            def rank(key: SortKey) -> tuple[int, int]:
                return (-key[0], key[1])

            ordered = sorted(self._keys, key=rank)
            lo, hi = 0, len(ordered)
            if after is not None:
                lo = bisect.bisect_right(
                    [rank(k) for k in ordered], rank(self._cursor_key("after", after))
                )
            if before is not None:
                hi = bisect.bisect_left(
                    [rank(k) for k in ordered], rank(self._cursor_key("before", before))
                )
            window = ordered[lo:hi] if lo < hi else []
            chosen = window[-limit:] if before is not None and after is None else window[:limit]
            has_more = len(window) > len(chosen)
            return Page([self._records[self._ids_by_key[k]].copy() for k in chosen], has_more)

    def newest_created_at(self) -> int | None:
        """The ``created_at`` of the newest stored object (None when there is none)."""
        with self._lock:
            return self._keys[-1][0] if self._keys else None

    def _cursor_key(self, param: str, cursor: str) -> SortKey:
        rec = self._records.get(cursor)
        if rec is not None:
            return rec.key
        if cursor in self._tombstones:
            return self._tombstones[cursor]
        raise CursorNotFound(param, cursor)

    # ---- writes ----------------------------------------------------------------------------

    def create(
        self,
        build: Callable[[str, int], JsonObject],
        extra: JsonObject | None = None,
        *,
        created_at: int | None = None,
    ) -> Record:
        """Store a new object. ``build(id, created_at)`` returns the full AssistantObject;
        ``created_at`` replaces the clock's (a host where many share one second)."""
        with self._lock:
            assistant_id = self._id_factory()
            while assistant_id in self._records or assistant_id in self._tombstones:
                assistant_id = self._id_factory()
            if created_at is None:
                created_at = int(self._clock())
            obj = build(assistant_id, created_at)
            rec = Record(self._next_seq, obj, dict(extra or {}))
            self._next_seq += 1
            self._insert(rec)
            self._persist()
            return rec.copy()

    def update(self, assistant_id: str, change: Callable[[Record], None]) -> Record | None:
        """Apply ``change`` to the stored record in place; ``None`` if the id is unknown.

        ``change`` runs under the store's lock, so a read-modify-write is atomic. It must not
        change ``id`` or ``created_at``.
        """
        with self._lock:
            rec = self._records.get(assistant_id)
            if rec is None:
                return None
            work = rec.copy()
            change(work)
            work.obj["id"], work.obj["created_at"] = rec.obj["id"], rec.obj["created_at"]
            self._records[assistant_id] = work
            self._persist()
            return work.copy()

    def delete(self, assistant_id: str) -> bool:
        with self._lock:
            rec = self._records.pop(assistant_id, None)
            if rec is None:
                return False
            idx = bisect.bisect_left(self._keys, rec.key)
            del self._keys[idx]
            del self._ids_by_key[rec.key]
            self._tombstones[assistant_id] = rec.key
            self._persist()
            return True

    def reset(self) -> None:
        """Forget everything (sequence numbers keep counting, so old cursors stay unknown)."""
        with self._lock:
            self._records.clear()
            self._keys.clear()
            self._ids_by_key.clear()
            self._tombstones.clear()
            self._persist()

    def _insert(self, rec: Record) -> None:
        key = rec.key
        bisect.insort(self._keys, key)
        self._ids_by_key[key] = rec.id
        self._records[rec.id] = rec

    # ---- persistence -----------------------------------------------------------------------

    def _snapshot(self) -> JsonObject:
        return {
            "format_version": STATE_FORMAT_VERSION,
            "next_seq": self._next_seq,
            "assistants": [
                {"seq": r.seq, "object": r.obj, "extra": r.extra}
                for r in (self._records[self._ids_by_key[k]] for k in self._keys)
            ],
            "tombstones": {i: list(k) for i, k in self._tombstones.items()},
        }

    def _persist(self) -> None:
        path = self._state_file
        if path is None:
            return
        data = json.dumps(self._snapshot(), ensure_ascii=False, indent=1).encode("utf-8")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                    fh.flush()
                    os.fsync(fh.fileno())
                os.replace(tmp, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
        except OSError as err:
            raise StateFileError(
                f"Cannot write the emulator state file {path}: {err.strerror or err}; "
                "check that its directory is writable."
            ) from err

    def _load(self, path: Path) -> None:
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            if not isinstance(raw, dict):
                raise ValueError("not a JSON object")
            if raw.get("format_version") != STATE_FORMAT_VERSION:
                raise ValueError(f"unsupported format_version {raw.get('format_version')!r}")
            for item in raw["assistants"]:
                rec = Record(int(item["seq"]), dict(item["object"]), dict(item.get("extra", {})))
                rec.obj["id"], rec.obj["created_at"] = (
                    str(rec.obj["id"]),
                    int(rec.obj["created_at"]),
                )
                self._insert(rec)
            for tid, (created_at, seq) in raw.get("tombstones", {}).items():
                self._tombstones[str(tid)] = (int(created_at), int(seq))
            highest = max([r.seq for r in self._records.values()] + [0])
            self._next_seq = max(int(raw.get("next_seq", 1)), highest + 1)
        except OSError as err:
            raise StateFileError(
                f"Cannot read the emulator state file {path}: {err.strerror or err}."
            ) from err
        except (ValueError, KeyError, TypeError, AttributeError, RecursionError) as err:
            raise StateFileError(
                f"The emulator state file {path} is not a valid state file ({err}); "
                "move it away or delete it to start empty."
            ) from err
