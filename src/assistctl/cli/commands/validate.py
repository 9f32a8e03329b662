"""``assistctl validate PATH...``: check manifests offline and report every problem.

Imports only the offline modules (no httpx, no deepdiff): this is the pre-commit path.
"""

from __future__ import annotations

from dataclasses import dataclass

import click

from assistctl.cli.commands._jsonrun import json_run
from assistctl.config.loader import load
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
        result = load(
            opts.paths,
            api_version=opts.g.api_version,
            options=opts.g,
            environment=opts.g.env,
            every_environment=True,
        )
        if run.enabled:
            run.body, run.errors = json_body(result), json_errors(result)
        else:
            click.echo(report(result, opts.fmt, quiet=opts.g.quiet), nl=False)
        return 0 if result.ok else 1
