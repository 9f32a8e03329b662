"""The host presets listed for people and programs (``assistctl providers``), by format name.

:data:`LISTING_BY_NAME` is the registry (``text``, ``json``; the command's ``--format``
choices are its names, through :mod:`assistctl.cli.choices`). Everything printed comes from
the :class:`Provider` rows (data, not prose kept in sync by hand). Pure: no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from assistctl.config.providers import DEFAULT_PROVIDER, Provider
from assistctl.output.jsonout import document, dumps
from assistctl.output.registry import by_name

ENVELOPES = {
    "openai": '{"error": {"message", "type", "param", "code"}}',
    "aimlapi": '{"message", "path", "requestId", "statusCode", "timestamp"}',
}


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


def as_text(providers: Iterable[Provider]) -> str:
    """One block of ``label: value`` rows per preset."""
    entries = [describe(p) for p in providers]
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


def json_body(providers: Iterable[Provider]) -> dict[str, Any]:
    """The command's own fields of its JSON document: the entries of :func:`describe`."""
    return {"providers": [describe(p) for p in providers]}


def as_json(providers: Iterable[Provider]) -> str:
    """``{"format_version": "1", "command": "providers", "providers": [...], "errors": []}``."""
    return dumps(document("providers", json_body(providers)))


LISTING_BY_NAME: Mapping[str, Callable[[Iterable[Provider]], str]] = {
    "text": as_text,
    "json": as_json,
}
FORMATS = tuple(LISTING_BY_NAME)


def listing(providers: Iterable[Provider], fmt: str = "text") -> str:
    """The presets in the format called ``fmt`` (UsageError for an unknown one)."""
    return by_name(LISTING_BY_NAME, fmt)(providers)
