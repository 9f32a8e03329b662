"""Plain option objects: click parses flags into these and hands them to one ``execute()``.

Keeping options as frozen dataclasses keeps ``cli/main.py`` free of logic and lets tests and
other commands build options without click.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class GlobalOptions:
    """Flags every command accepts. ``None`` means "not given": env and project file decide."""

    base_url: str | None = None
    api_key: str | None = None
    api_key_file: str | None = None
    """``--api-key-file PATH``, ``-`` for standard input."""
    provider: str | None = None
    api_version: str | None = None
    project: str | None = None
    local_state: str | None = None
    max_retries: int | None = None
    timeout: float | None = None
    verbose: bool = False
    quiet: bool = False
    no_color: bool = False
