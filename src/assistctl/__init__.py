"""assistctl: keep OpenAI-compatible Assistants as code."""

__version__ = "0.2.0.dev0"
"""The one place the version is written: pyproject.toml reads it from here (``dynamic``),
so the installed metadata, ``assistctl --version`` and this attribute always agree, at no
cost at start-up (no metadata lookup)."""
