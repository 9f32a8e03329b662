"""The request bodies a plan's changes send: a create's, and an update's.

Create bodies
    The fields the manifest sets, plus the ownership label; unset and null fields are left
    out (the API fills in its defaults, which the canonical form equates with unset), and so
    are fields the dialect does not have. For v1 the manifest's v2 spellings are translated
    first (:func:`assistctl.config.dialect.to_v1`).

Update bodies
    Every changed top-level field is sent whole, with the manifest's value, or the field's
    server default (:mod:`assistctl.core.fields`) when the manifest leaves it unset;
    ``metadata`` always with the ownership label, ``tool_resources`` with an empty id list
    for each entry the live object has and the manifest does not (the API treats each entry
    as an override). A write-only field whose recorded fingerprint moved is a changed field
    (null resets it; :mod:`assistctl.core.plan.writeonly`), and one the manifest sets is added
    to any other update when the live object cannot show it. Fields in ``lifecycle.ignore_changes`` are never compared nor sent
    on update (a create sends everything the manifest sets).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from assistctl.config.manifest import Manifest
from assistctl.core.fields import FIELDS, ApiVersion, api_fields, write_only_fields
from assistctl.core.normalize import desired_api_object
from assistctl.core.plan.paths import top_field


def create_body(m: Manifest, project: str, *, api_version: ApiVersion = "v2") -> dict[str, Any]:
    """The create request body: the fields the manifest sets, plus the ownership label."""
    desired = desired_api_object(m, project, api_version=api_version)
    body: dict[str, Any] = {}
    for field in api_fields(api_version):
        value = desired.get(field)
        if value is not None:
            body[field] = FIELDS[field].body(value)
    return body


def update_body(
    m: Manifest,
    project: str,
    api_version: ApiVersion,
    changed: Sequence[str],
    before: dict[str, Any],
    after: dict[str, Any],
    ignored: Sequence[str],
) -> dict[str, Any]:
    """The modify request body of the ``changed`` paths between two canonical forms."""
    api = create_body(m, project, api_version=api_version)
    body: dict[str, Any] = {}
    for field in dict.fromkeys(top_field(p) for p in changed):
        body[field] = FIELDS[field].update(api.get(field), before.get(field), after.get(field))
    for field in write_only_fields(api_version):
        if field in api and field not in before and field not in ignored:
            body[field] = api[field]
    return body
