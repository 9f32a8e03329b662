"""``assistctl schema``: the manifest JSON Schema, generated from the pydantic model."""

from __future__ import annotations

import json

import click

from assistctl.config.manifest import manifest_json_schema


def render() -> str:
    """The exact text of ``schemas/assistant.schema.json``."""
    return json.dumps(manifest_json_schema(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def execute() -> int:
    click.echo(render(), nl=False)
    return 0
