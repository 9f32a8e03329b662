"""``assistctl providers``: the host presets, and what each one differs in.

Everything printed comes from :data:`assistctl.config.providers.PROVIDERS` (data, not prose kept in
sync by hand). Offline; imports no HTTP client.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import click

from assistctl.config.providers import DEFAULT_PROVIDER, PROVIDERS, Provider
from assistctl.options import GlobalOptions

ENVELOPES = {
    "openai": '{"error": {"message", "type", "param", "code"}}',
    "aimlapi": '{"message", "path", "requestId", "statusCode", "timestamp"}',
}


@dataclass(frozen=True)
class ProvidersOptions:
    g: GlobalOptions
    fmt: str = "text"


def describe(provider: Provider) -> dict[str, Any]:
    """One provider as plain data (the JSON output's entries)."""
    query = {}
    if provider.query_api_version_env is not None:
        query["api-version"] = {
            "variable": provider.query_api_version_env,
            "default": provider.query_api_version_default,
        }
    return {
        "name": provider.name,
        "default": provider.name == DEFAULT_PROVIDER,
        "base_url": "in process" if provider.in_process else provider.default_base_url,
        "base_url_variables": [f"{name} + {suffix}" for name, suffix in provider.base_url_env],
        "path_prefix": provider.path_prefix,
        "auth": provider.auth_display,
        "key_variables": list(provider.key_variables),
        "query": query,
        "dialects": list(provider.dialects),
        "beta_header": [f"OpenAI-Beta: assistants={d}" for d in provider.dialects],
        "error_envelope": ENVELOPES[provider.error_envelope],
        "documented_models": (
            sorted(provider.documented_models) if provider.documented_models is not None else None
        ),
        "hosts": list(provider.hosts),
        "differs": provider.differs,
    }


def render_text(entries: list[dict[str, Any]]) -> str:
    lines: list[str] = []
    for e in entries:
        title = e["name"] + (" (default)" if e["default"] else "")
        lines.append(title)
        url = e["base_url"]
        if e["base_url_variables"]:
            url += f"  (from {', '.join(e['base_url_variables'])})"
        rows = [("base URL", url)]
        auth = e["auth"]
        if e["key_variables"]:
            auth += f"  (key from --api-key, {', '.join(e['key_variables'])})"
        rows.append(("auth", auth))
        for name, q in e["query"].items():
            rows.append(("query", f"{name} from {q['variable']} (default {q['default']})"))
        dialects = e["dialects"][0] + "".join(
            f", {d} with --api-version {d}" for d in e["dialects"][1:]
        )
        rows.append(("dialects", dialects))
        rows.append(("errors", e["error_envelope"]))
        if e["documented_models"] is not None:
            rows.append(
                ("models", f"{len(e['documented_models'])} documented; validate warns outside")
            )
        rows.append(("differs", e["differs"]))
        lines += [f"  {label + ':':<10} {value}" for label, value in rows]
        lines.append("")
    lines.append("--base-url replaces any preset's URL (include the path prefix).")
    return "\n".join(lines) + "\n"


def execute(opts: ProvidersOptions) -> int:
    entries = [describe(p) for p in PROVIDERS.values()]
    if opts.fmt == "json":
        payload = {"format_version": "1", "providers": entries}
        click.echo(json.dumps(payload, indent=2, sort_keys=True))
    else:
        click.echo(render_text(entries), nl=False)
    return 0
