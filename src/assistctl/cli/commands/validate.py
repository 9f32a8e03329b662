"""``assistctl validate PATH...``: check manifests offline and report every problem.

Imports only the offline modules (no httpx, no deepdiff, no ruamel.yaml): this is the
pre-commit path. A path that is a file but not YAML is an instructions file: the manifests
of its project that use it are validated instead (:mod:`assistctl.config.referrers`).
"""

from __future__ import annotations

from dataclasses import dataclass

import click

from assistctl.cli.commands._jsonrun import json_run
from assistctl.config.loader import LoadResult, load
from assistctl.config.referrers import expand_instructions_files
from assistctl.options import GlobalOptions
from assistctl.output.reporters import json_body, json_errors, report


@dataclass(frozen=True)
class ValidateOptions:
    g: GlobalOptions
    paths: tuple[str, ...]
    fmt: str = "text"


def execute(opts: ValidateOptions) -> int:
    """Print the report; 0 when every manifest is valid (warnings allowed), else 1."""
    with json_run("validate", opts.fmt) as run:
        expanded = expand_instructions_files(opts.paths)
        if not opts.g.quiet:
            for note in expanded.notes:
                click.echo(f"note: {note}.", err=True)
        if expanded.paths:
            result = load(
                expanded.paths,
                api_version=opts.g.api_version,
                options=opts.g,
                environment=opts.g.env,
                every_environment=True,
            )
        else:  # only instructions files that no manifest uses: nothing to check
            result = LoadResult()
        if run.enabled:
            run.body, run.errors = json_body(result), json_errors(result)
        else:
            click.echo(report(result, opts.fmt, quiet=opts.g.quiet), nl=False)
        return 0 if result.ok else 1
