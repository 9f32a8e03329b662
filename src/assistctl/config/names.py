"""Shapes of the names the project file holds besides project and environment names (which
are :data:`assistctl.labels.NAME_PATTERN`): variables, and process environment variables."""

from __future__ import annotations

VAR_NAME_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,63}$"
"""A variable's name (``${name}``): letters, digits and ``_``, not starting with a digit."""

ENV_VAR_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]{0,127}$"
"""A process environment variable's name (POSIX: letters, digits, ``_``)."""
