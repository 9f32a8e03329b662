"""One canonical form for the desired state (a manifest) and for a live assistant object.

``plan`` diffs the two canonical forms; each field's rule is its kind's
(:mod:`assistctl.core.kinds`, chosen in the registry :mod:`assistctl.core.fields`), so that
the plan right after a successful apply is empty.

Decision: the manifest is the complete desired state
    A field the manifest does not set means *the API default*, not "leave the live value
    alone". So an out-of-band change to, say, ``temperature`` on an assistant whose manifest
    omits it IS drift, and ``apply`` resets it (as Terraform does for optional arguments with
    a known default). ``lifecycle.ignore_changes`` is the escape hatch for a field someone
    else owns. The exception is a write-only field (``reasoning_effort``): the API does not
    return it, so its canonical form has it only when the live object carries the key (then
    an unset manifest value means null); otherwise the planner compares the fingerprint the
    ownership label records (:mod:`assistctl.core.plan.writeonly`).

Only the dialect's fields are compared: keys a host adds (``id``, ``created_at``, fields a
future API version returns) never produce a change. The v1 dialect compares
:data:`FIELDS_V1` after translating the manifest's v2 spellings
(:mod:`assistctl.config.dialect`), so a v2-style manifest against a v1 host is empty after
apply too. Pure: no I/O, no heavy imports (``render`` and ``plan`` import this).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from assistctl.config.dialect import to_v1
from assistctl.config.manifest import Manifest
from assistctl.core.fields import FIELDS, FIELDS_V1, FIELDS_V2, ApiVersion, write_only_fields
from assistctl.core.jsonform import canonical_json, normalize_json
from assistctl.labels import OWNER_KEY, make_label

__all__ = [
    "FIELDS_V1",
    "FIELDS_V2",
    "ApiVersion",
    "canonical",
    "canonical_json",
    "desired_label",
    "fingerprint",
    "normalize_desired",
    "normalize_json",
    "normalize_live",
    "write_only_fingerprint",
]

WRITE_ONLY_DIGITS = 12
"""Hex digits of the write-only fingerprint: a change goes unseen once in 2**48."""

_RULES = {
    version: tuple((name, FIELDS[name].canonical, FIELDS[name].write_only) for name in fields)
    for version, fields in (("v1", FIELDS_V1), ("v2", FIELDS_V2))
}


def normalize_live(live: Mapping[str, Any], *, api_version: ApiVersion = "v2") -> dict[str, Any]:
    """Canonical form of a live assistant object as the API returns it."""
    return canonical(live, api_version=api_version)


def desired_api_object(
    manifest: Manifest, project: str, *, api_version: ApiVersion = "v2"
) -> dict[str, Any]:
    """The manifest as an API-shaped object: the fields it sets plus the ownership label
    (with ``prevent_destroy`` recorded in it, so the protection outlives the manifest).

    ``project`` is the ownership scope. For the v1 dialect the v2 spellings are translated
    (:func:`assistctl.config.dialect.to_v1`).
    """
    body = manifest.api_body()
    body["metadata"] = {
        **(body.get("metadata") or {}),
        OWNER_KEY: desired_label(manifest, project, api_version),
    }
    return to_v1(body) if api_version == "v1" else body


def desired_label(manifest: Manifest, scope: str, api_version: ApiVersion = "v2") -> str:
    """The ownership label a manifest's assistant carries: identity plus recorded flags
    (``prevent_destroy``, and the fingerprint of its write-only values, so a change to one
    is seen statelessly)."""
    return make_label(
        scope,
        manifest.key,
        prevent_destroy=manifest.prevent_destroy,
        write_only=write_only_fingerprint(manifest, api_version),
    )


def write_only_fingerprint(manifest: Manifest, api_version: ApiVersion = "v2") -> str | None:
    """A short digest of the manifest's write-only values, unset ones included (so removing
    one changes it); None when the dialect has no write-only field."""
    fields = write_only_fields(api_version)
    if not fields:
        return None
    body = manifest.api_body()
    values = {field: body.get(field) for field in fields}
    return hashlib.sha256(canonical_json(values).encode()).hexdigest()[:WRITE_ONLY_DIGITS]


def normalize_desired(
    manifest: Manifest, project: str, *, api_version: ApiVersion = "v2"
) -> dict[str, Any]:
    """Canonical form of the state a manifest asks for (unset fields = API defaults)."""
    return canonical(
        desired_api_object(manifest, project, api_version=api_version), api_version=api_version
    )


def canonical(obj: Mapping[str, Any], *, api_version: ApiVersion = "v2") -> dict[str, Any]:
    """Canonical form of an API-shaped assistant (a request body or a response object).

    Every field of the dialect is present, but a write-only one only when ``obj`` has it.
    """
    out: dict[str, Any] = {}
    for field, rule, write_only in _RULES["v1" if api_version == "v1" else "v2"]:
        if write_only:
            if field in obj:
                out[field] = obj[field]
            continue
        out[field] = rule(obj.get(field))
    return out


def fingerprint(normalized: Mapping[str, Any]) -> str:
    """A short stable digest of a canonical form: equal digests mean no change."""
    return hashlib.sha256(canonical_json(dict(normalized)).encode()).hexdigest()[:16]
