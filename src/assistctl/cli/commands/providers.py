"""``assistctl providers``: the host presets, and what each one differs in. Offline."""

from __future__ import annotations

from dataclasses import dataclass

import click

from assistctl.config.providers import PROVIDERS
from assistctl.options import GlobalOptions
from assistctl.output.providers import listing


@dataclass(frozen=True)
class ProvidersOptions:
    g: GlobalOptions
    fmt: str = "text"


def execute(opts: ProvidersOptions) -> int:
    click.echo(listing(PROVIDERS.values(), opts.fmt), nl=False)
    return 0
