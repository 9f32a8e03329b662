"""What plan, drift and apply share: load manifests, reach the host, list live state once."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistctl.errors import UsageError
from assistctl.loader import LoadResult, load_or_raise
from assistctl.options import GlobalOptions

if TYPE_CHECKING:
    from assistctl.client import AssistantsClient
    from assistctl.plan import Plan
    from assistctl.planfile import Origin
    from assistctl.target import Target


@dataclass
class Session:
    """One run against one host: the loaded manifests, the client, the live objects."""

    g: GlobalOptions
    loaded: LoadResult
    project: str
    client: AssistantsClient
    live: list[dict[str, Any]]

    @property
    def target(self) -> Target:
        return self.client.target

    @property
    def api_version(self) -> str:
        return self.client.target.api_version

    def compute(self) -> Plan:
        from assistctl.plan import compute_plan

        manifests = [lm.manifest for lm in self.loaded.manifests]
        version = "v1" if self.api_version == "v1" else "v2"
        return compute_plan(manifests, self.live, self.project, api_version=version)

    def origin(self) -> Origin:
        return origin_of(self.target, self.project)

    def close(self) -> None:
        self.client.close()


def origin_of(target: Target, project: str) -> Origin:
    from assistctl.planfile import Origin

    return Origin(
        project=project,
        provider=target.provider.name,
        base_url=target.base_url,
        api_version=target.api_version,
        # Absolute: a saved plan applied from another directory must reach the same state file.
        local_state=str(target.local_state.absolute()) if target.local_state is not None else None,
    )


def project_name(g: GlobalOptions, loaded: LoadResult) -> str:
    from assistctl.labels import is_valid_name

    # An empty --project (a script's unset variable) is an error, not the project file's
    # name: the project decides what apply may delete.
    name = g.project if g.project is not None else loaded.project.project
    if not is_valid_name(name):
        raise UsageError(
            f"--project '{name}' is not a valid project name (letters, digits, '.', '_', '-')."
        )
    return name


def status(g: GlobalOptions, message: str) -> None:
    """A progress note for people: stderr, so stdout stays machine-readable."""
    if not g.quiet:
        click.echo(message, err=True)


def open_session(g: GlobalOptions, paths: tuple[str, ...], verb: str) -> Session:
    """Validate (nothing is sent for invalid manifests), then list live state once."""
    from assistctl.client import AssistantsClient

    loaded = load_or_raise(paths, api_version=g.api_version)
    project = project_name(g, loaded)
    client = AssistantsClient.from_options(g, loaded.project)
    try:
        status(g, f"{verb} project '{project}' against {client.target.display} ...")
        live = client.list_all()
    except BaseException:
        client.close()
        raise
    return Session(g=g, loaded=loaded, project=project, client=client, live=live)


def write_output(text: str, out: str | None) -> None:
    """Write ``text`` to ``out`` atomically, or to stdout when ``out`` is None or ``-``."""
    if not text.endswith("\n"):
        text += "\n"
    if out is None or out == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return
    path = Path(out)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(path)
    except OSError as err:
        raise UsageError(f"Cannot write {out}: {err.strerror or err}.") from None
