"""What an apply did: the final sentence for people, the JSON document's fields for programs.

The sentence starts with what matters most: ``Apply complete: ...`` when everything was done,
``Apply failed for 2 of 8 changes (KEY, KEY): ...`` when anything failed, ``Apply
interrupted: ...`` after Ctrl-C. Pure: the command prints.
"""

from __future__ import annotations

from typing import Any

from assistctl.api.report import ApplyReport
from assistctl.labels import split_scope

_NAMED_FAILURES = 3


def counts(report: ApplyReport) -> dict[str, int]:
    done = {"created": 0, "updated": 0, "deleted": 0}
    for outcome in report.succeeded:
        done[outcome.verb] = done.get(outcome.verb, 0) + 1
    return done


def final_sentence(report: ApplyReport, parallelism: int) -> str:
    """The last line of an apply (stdout with text output)."""
    done = counts(report)
    extra = []
    if report.retries:
        extra.append(f"{report.retries} retries")
    if report.lowest_parallelism and report.lowest_parallelism < parallelism:
        extra.append(f"parallelism lowered to {report.lowest_parallelism} by rate limits")
    tail = f" ({'; '.join(extra)})" if extra else ""
    failed = report.failed
    tally = f"{done['created']} created, {done['updated']} updated, {done['deleted']} deleted"
    if report.interrupted:
        unknown = f", {len(report.unknown)} unknown" if report.unknown else ""
        return f"Apply interrupted: {tally}, {len(failed)} failed{unknown}.{tail}"
    if failed:
        total = len(report.outcomes) + len(report.not_started)
        keys = sorted(o.change.key for o in failed)  # stable: changes finish in any order
        named = ", ".join(keys[:_NAMED_FAILURES])
        if len(keys) > _NAMED_FAILURES:
            named += f" and {len(keys) - _NAMED_FAILURES} more"
        return f"Apply failed for {len(failed)} of {total} changes ({named}): {tally}.{tail}"
    return f"Apply complete: {tally}, 0 failed.{tail}"


def json_body(report: ApplyReport, scope: str) -> dict[str, Any]:
    """``apply``'s own fields of its JSON document (``scope``: the project, or
    ``project@environment``).

    ``ids`` maps each key created or updated to its assistant id (what ``assistctl output``
    prints for every key); ``results`` has one entry per change of the plan, in its order.
    """
    results: list[dict[str, Any]] = [
        {
            "key": o.change.key,
            "action": o.change.action,
            "id": o.id,
            "status": "succeeded" if o.ok else "failed",
            "error": o.error,
            "found_by_label": o.adopted,
            "changed": list(o.change.changed),
        }
        for o in report.outcomes
    ]
    results += [
        {
            "key": c.key,
            "action": c.action,
            "id": c.id,
            "status": "not_started",
            "error": None,
            "found_by_label": False,
            "changed": list(c.changed),
        }
        for c in report.not_started
    ]
    results += [
        {
            "key": c.key,
            "action": c.action,
            "id": c.id,
            "status": "unknown",
            "error": None,
            "found_by_label": False,
            "changed": list(c.changed),
        }
        for c in report.unknown
    ]
    return {
        "project": split_scope(scope)[0],
        "environment": split_scope(scope)[1],
        "summary": {
            **counts(report),
            "failed": len(report.failed),
            "not_started": len(report.not_started),
            "unknown": len(report.unknown),
            "retries": report.retries,
        },
        "interrupted": report.interrupted,
        "results": results,
        "ids": {
            o.change.key: o.id
            for o in report.succeeded
            if o.change.action in ("create", "update") and o.id is not None
        },
    }


def json_errors(report: ApplyReport) -> list[dict[str, Any]]:
    """One entry per failed change, with the API's message; one for an interruption."""
    errors: list[dict[str, Any]] = [
        {"message": o.error or "failed", "key": o.change.key, "action": o.change.action, "id": o.id}
        for o in report.failed
    ]
    if report.interrupted:
        errors.append(
            {
                "message": f"Interrupted: {len(report.not_started)} change(s) not started, "
                f"{len(report.unknown)} unknown (sent, no answer before the stop); run apply "
                "again to finish."
            }
        )
    return errors
