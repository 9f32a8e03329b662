"""``assistctl output``'s formats, by name: ``text``, ``json``, ``env``, ``dotenv``.

- ``text``: one ``KEY  ID`` line per key, for people; missing keys say so.
- ``json``: the versioned document of every command (``output/jsonout``'s envelope:
  ``format_version``, ``command``, ``errors``) with :func:`json_body`'s ``project``,
  ``environment``, ``ids`` (key -> id) and ``missing``.
- ``env``: ``ASSISTANT_<KEY>_ID=asst_...`` lines and nothing else, for ``$GITHUB_ENV``,
  ``docker --env-file`` or ``export $(...)``.
- ``dotenv``: the same lines under a comment naming the project and environment, and a
  comment for each missing key: a ``.env`` file an application loads.

Pure: the command writes the text.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from assistctl.core.idmap import IdMap, variable_names
from assistctl.output.jsonout import document, dumps
from assistctl.output.registry import by_name


def text(ids: IdMap) -> str:
    width = max((len(k) for k in (*ids.ids, *ids.missing)), default=0)
    lines = [f"{key:<{width}}  {ident}" for key, ident in ids.ids.items()]
    lines += [f"{key:<{width}}  (missing: no live assistant)" for key in ids.missing]
    return "\n".join(lines) + "\n" if lines else ""


def json_body(ids: IdMap) -> dict[str, Any]:
    """``output``'s own fields of its JSON document."""
    return {
        "project": ids.project,
        "environment": ids.environment,
        "ids": dict(ids.ids),
        "missing": list(ids.missing),
    }


def as_json(ids: IdMap) -> str:
    return dumps(document("output", json_body(ids)))


def env(ids: IdMap) -> str:
    names = variable_names([*ids.ids, *ids.missing])
    return "".join(f"{names[key]}={ident}\n" for key, ident in ids.ids.items())


def dotenv(ids: IdMap) -> str:
    names = variable_names([*ids.ids, *ids.missing])
    where = f"project {ids.project}"
    if ids.environment:
        where += f", environment {ids.environment}"
    lines = [f"# assistctl output: the live assistant ids of {where}"]
    lines += [f"{names[key]}={ident}" for key, ident in ids.ids.items()]
    lines += [
        f"# {names[key]}: missing, no live assistant (run assistctl apply)" for key in ids.missing
    ]
    return "\n".join(lines) + "\n"


IDMAP_BY_NAME: Mapping[str, Callable[[IdMap], str]] = {
    "text": text,
    "json": as_json,
    "env": env,
    "dotenv": dotenv,
}
FORMATS = tuple(IDMAP_BY_NAME)


def render_ids(ids: IdMap, fmt: str = "text") -> str:
    """The ids in the format called ``fmt`` (UsageError for an unknown one)."""
    return by_name(IDMAP_BY_NAME, fmt)(ids)
