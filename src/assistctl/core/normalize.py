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
    return it, so it is compared only when the live object carries the key; then an unset
    manifest value means null.

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
from assistctl.core.fields import FIELDS, FIELDS_V1, FIELDS_V2, ApiVersion
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
]

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
        OWNER_KEY: desired_label(manifest, project),
    }
    return to_v1(body) if api_version == "v1" else body


def desired_label(manifest: Manifest, scope: str) -> str:
    """The ownership label a manifest's assistant carries: identity plus recorded flags."""
    return make_label(scope, manifest.key, prevent_destroy=manifest.prevent_destroy)


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
