"""The names the command line offers as choices, as plain data.

``cli/main.py`` declares its options from these tuples instead of importing the registries
they name (pydantic models, provider presets, the emulator), so that ``assistctl --version``
and ``validate`` start without loading them. Each tuple copies one registry, in its order;
``tests/cli/test_choices.py`` keeps them equal, and names the tuple to extend when one grows.
"""

from __future__ import annotations

# perf: plain data, so start-up loads no registry; benchmarks/startup.py (see
# benchmarks/README.md, start-up).

PLAN_FORMATS = ("text", "json", "markdown")
"""``plan`` and ``drift --format``: ``assistctl.output.render.RENDERER_BY_NAME``."""

VALIDATE_FORMATS = ("text", "json", "github")
"""``validate --format``: ``assistctl.output.reporters.REPORTER_BY_NAME``."""

OUTPUT_FORMATS = ("text", "json", "env", "dotenv")
"""``output --format``: ``assistctl.output.idmap.IDMAP_BY_NAME``."""

PROVIDERS_FORMATS = ("text", "json")
"""``providers --format``: ``assistctl.output.providers.LISTING_BY_NAME``."""

RESULT_FORMATS = ("text", "json")
"""``apply``, ``import`` and ``export --format``: ``assistctl.output.jsonout.RESULT_FORMATS``."""

PROVIDERS = ("openai", "aimlapi", "laplas", "azure", "local")
"""``--provider``: ``assistctl.config.providers.PROVIDERS``."""

API_VERSIONS = ("v1", "v2")
"""``--api-version``: ``assistctl.config.providers.API_VERSIONS``."""

EMULATOR_FLAVORS = ("openai", "openai-v1", "aimlapi", "azure")
"""``emulator --flavor``: ``assistctl.emulator.flavors.FLAVORS``."""
