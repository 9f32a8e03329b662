"""The ownership label: the one metadata pair that makes an assistant *managed*.

An assistant belongs to manifest key K of an ownership *scope* when its metadata carries
``OWNER_KEY: "SCOPE/K"``. The scope is the project name P, or ``P@E`` for environment E of
project P (dev and prod on one host are two scopes that never touch each other). The tool
keeps no state file; this label is the whole identity, plus what must survive on the live
side, written as flags after the identity::

    support@prod/support-bot;prevent_destroy;wo=3f9a1c02b7e4

- ``prevent_destroy``: the manifest's ``lifecycle.prevent_destroy``, recorded live so that
  removing the manifest cannot delete the assistant;
- ``wo=HEX``: a short fingerprint of the write-only fields (the API never returns them), so
  a change to one of them can be planned without state.

Labels written by 0.1.0 (``P/K``, no flags) parse unchanged. Unknown flags of the same shape
are ignored, so a later version's flags do not make an assistant unmanaged. The value is at
most 418 characters (three names of 128, separators, both flags): within the API's 512.
Pure functions only.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

OWNER_KEY = "assistctl"
"""Reserved metadata key. Manifests may not set it themselves."""

NAME_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$"
"""Shape of a project name, an environment name and a manifest ``key``: no ``/``, ``@`` or
``;``, so a label splits one way only."""

PREVENT_DESTROY = "prevent_destroy"
WRITE_ONLY = "wo"

_NAME_RE = re.compile(NAME_PATTERN)
_FLAG_RE = re.compile(r"^[a-z_]{1,32}(=[A-Za-z0-9]{1,64})?$")
_WRITE_ONLY_RE = re.compile(r"^[0-9a-f]{8,64}$")


def is_valid_name(value: str) -> bool:
    return bool(_NAME_RE.match(value))


def scope_of(project: str, environment: str | None = None) -> str:
    """The ownership scope of a project, or of one of its environments."""
    return f"{project}@{environment}" if environment else project


def describe_scope(scope: str) -> str:
    """A scope in words: ``project 'support'`` or ``project 'support', environment 'prod'``."""
    project, environment = split_scope(scope)
    tail = f", environment '{environment}'" if environment else ""
    return f"project '{project}'{tail}"


def split_scope(scope: str) -> tuple[str, str | None]:
    """``(project, environment)`` of a scope made by :func:`scope_of`."""
    project, _, environment = scope.partition("@")
    return project, environment or None


@dataclass(frozen=True)
class Label:
    """A parsed label: identity (``scope``, ``key``) and the flags kept beside it."""

    scope: str
    key: str
    prevent_destroy: bool = False
    write_only: str | None = None

    @property
    def project(self) -> str:
        return split_scope(self.scope)[0]

    @property
    def environment(self) -> str | None:
        return split_scope(self.scope)[1]

    @property
    def owner(self) -> tuple[str, str]:
        return self.scope, self.key

    def value(self) -> str:
        return make_label(
            self.scope, self.key, prevent_destroy=self.prevent_destroy, write_only=self.write_only
        )


def make_label(
    scope: str, key: str, *, prevent_destroy: bool = False, write_only: str | None = None
) -> str:
    parts = [f"{scope}/{key}"]
    if prevent_destroy:
        parts.append(PREVENT_DESTROY)
    if write_only:
        parts.append(f"{WRITE_ONLY}={write_only}")
    return ";".join(parts)


def _valid_scope(scope: str) -> bool:
    project, at, environment = scope.partition("@")
    return is_valid_name(project) and (not at or is_valid_name(environment))


def parse(value: object) -> Label | None:
    """The label in a metadata value, or None when the value is not one of ours."""
    if not isinstance(value, str) or len(value) > 512:
        return None
    identity, *flags = value.split(";")
    if identity.count("/") != 1:
        return None
    scope, key = identity.split("/")
    if not (_valid_scope(scope) and is_valid_name(key)):
        return None
    prevent_destroy = False
    write_only: str | None = None
    for flag in flags:
        if not _FLAG_RE.match(flag):
            return None
        name, _, arg = flag.partition("=")
        if name == PREVENT_DESTROY and not arg:
            prevent_destroy = True
        elif name == WRITE_ONLY and _WRITE_ONLY_RE.match(arg):
            write_only = arg
    return Label(scope, key, prevent_destroy, write_only)


def parse_label(value: object) -> tuple[str, str] | None:
    """Return ``(scope, key)`` from a label value, or None when it is not one of ours."""
    label = parse(value)
    return None if label is None else label.owner


def same_owner(a: object, b: object) -> bool:
    """Whether two label values name the same owner (their flags may differ)."""
    la, lb = parse(a), parse(b)
    return la is not None and lb is not None and la.owner == lb.owner


def label_of(live: dict[str, object]) -> Label | None:
    """The label of a live assistant object, or None when it is unmanaged."""
    metadata = live.get("metadata")
    if not isinstance(metadata, dict):
        return None
    return parse(metadata.get(OWNER_KEY))


def owner_of(live: dict[str, object]) -> tuple[str, str] | None:
    """``(scope, key)`` of a live assistant object, or None when it is unmanaged."""
    label = label_of(live)
    return None if label is None else label.owner
