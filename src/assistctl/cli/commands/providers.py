"""``assistctl providers``: the host presets, and what each one differs in. Offline."""

from __future__ import annotations

from dataclasses import dataclass

import click

from assistctl.cli.commands._jsonrun import json_run
from assistctl.config.providers import PROVIDERS
from assistctl.options import GlobalOptions
from assistctl.output.providers import json_body, listing


@dataclass(frozen=True)
class ProvidersOptions:
    g: GlobalOptions
    fmt: str = "text"


def execute(opts: ProvidersOptions) -> int:
    with json_run("providers", opts.fmt) as run:
        if run.enabled:
            run.body = json_body(PROVIDERS.values())
        else:
            click.echo(listing(PROVIDERS.values(), opts.fmt), nl=False)
        return 0
