"""``assistctl output PATH...``: each manifest key's live assistant id, for applications.

Read-only and one listing: the manifests give the keys (of the selected environment), the
live assistants carrying their labels give the ids. A key with no live assistant is listed
as missing and the exit code is 2, so that a deploy step fails before its application
starts without an id.
"""

from __future__ import annotations

from dataclasses import dataclass

import click

from assistctl.cli.commands._jsonrun import JsonRun, json_run
from assistctl.cli.commands._shared import connect, project_name, status, write_output
from assistctl.cli.error_handler import EXIT_CHANGES, EXIT_OK
from assistctl.config.loader import load_or_raise
from assistctl.options import GlobalOptions


@dataclass(frozen=True)
class OutputOptions:
    g: GlobalOptions
    paths: tuple[str, ...]
    fmt: str = "text"


def execute(opts: OutputOptions) -> int:
    with json_run("output", opts.fmt) as run:
        return _output(opts, run)


def _output(opts: OutputOptions, run: JsonRun) -> int:
    from assistctl.core.idmap import live_ids, variable_names
    from assistctl.labels import describe_scope, scope_of
    from assistctl.output.idmap import json_body, render_ids

    loaded = load_or_raise(opts.paths, api_version=opts.g.api_version, environment=opts.g.env)
    environment = loaded.environment
    scope = scope_of(project_name(opts.g, loaded.project), environment)
    keys = [lm.manifest.key for lm in loaded.manifests]
    if opts.fmt in ("env", "dotenv"):
        variable_names(keys)  # two keys making one variable: refused before any request
    with connect(opts.g, loaded.project.settings(environment)) as client:
        status(opts.g, f"Reading the ids of {describe_scope(scope)} on {client.target.display} ...")
        ids = live_ids(keys, (obj for page in client.pages() for obj in page), scope)
    if run.enabled:
        run.body = json_body(ids)
    else:
        write_output(render_ids(ids, opts.fmt), None)
    if ids.missing:
        listed = ", ".join(ids.missing)
        click.echo(
            f"assistctl: {len(ids.missing)} key(s) have no live assistant in "
            f"{describe_scope(scope)}: {listed}; run 'assistctl apply' first.",
            err=True,
        )
        return EXIT_CHANGES
    return EXIT_OK
