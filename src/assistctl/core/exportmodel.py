"""What ``export`` produces: new manifests, updated ones, and the assistants it skipped."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from assistctl.config.manifest import Manifest

Status = Literal["managed", "unmanaged", "other_project"]


@dataclass(frozen=True)
class Exported:
    """One manifest to write: ``filename`` (and ``prompt_filename``) relative to the output."""

    key: str
    assistant_id: str
    name: str | None
    status: Status
    filename: str
    text: str
    prompt_filename: str | None = None
    prompt: str | None = None
    owner: str | None = None
    """The raw label of another project (status ``other_project``)."""
    manifest: Manifest | None = None
    """The manifest as the loader will read it (instructions inline)."""


@dataclass(frozen=True)
class Skipped:
    assistant_id: str
    name: str | None
    reason: str


@dataclass(frozen=True)
class Updated:
    """A manifest that exists already, updated in place (or already up to date)."""

    key: str
    assistant_id: str
    name: str | None
    status: Status
    file: str
    fields: tuple[str, ...]
    """What changed in it: the fields rewritten or removed (``instructions`` for its file)."""
    prompt_file: str | None = None
    """The instructions file rewritten, when it was."""

    @property
    def unchanged(self) -> bool:
        return not self.fields


@dataclass(frozen=True)
class ExportResult:
    exported: tuple[Exported, ...]
    skipped: tuple[Skipped, ...]
    updated: tuple[Updated, ...] = ()
    files: Mapping[str, str] = field(default_factory=dict)
    """Existing manifest files -> their new text."""
    prompts: Mapping[str, str] = field(default_factory=dict)
    """Existing instructions files (resolved paths) -> their new text."""
    notes: tuple[str, ...] = ()
