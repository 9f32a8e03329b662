"""What plan, drift and apply share: load manifests, reach the host, list live state once."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistctl.config.loader import LoadResult
from assistctl.config.project import Policy, ProjectConfig
from assistctl.errors import UsageError
from assistctl.options import GlobalOptions

if TYPE_CHECKING:
    import httpx

    from assistctl.api.client import AssistantsClient
    from assistctl.api.target import Target
    from assistctl.config.providers import ProjectLike
    from assistctl.core.plan import DeleteGuard, Plan, Planner, PlanTarget
    from assistctl.core.planfile import Origin


@dataclass
class Session:
    """One run against one host: the client, and the plan that the manifests and the
    listing of live state were reduced to."""

    g: GlobalOptions
    project: str
    client: AssistantsClient
    plan: Plan
    manifests_digest: str | None = None
    """The manifests' digest for a saved plan, when :func:`open_session` was asked for it."""
    guard: DeleteGuard | None = None
    """The mass-delete guard, tightened by the project policy."""
    environment: str | None = None
    """The environment of ``assistctl.yaml`` (``--env``), when the project declares any."""

    @property
    def target(self) -> Target:
        return self.client.target

    @property
    def scope(self) -> str:
        """The ownership scope: the project, or ``project@environment``."""
        from assistctl.labels import scope_of

        return scope_of(self.project, self.environment)

    def origin(self) -> Origin:
        return origin_of(self.target, self.project, self.environment)

    def close(self) -> None:
        self.client.close()


def origin_of(target: Target, project: str, environment: str | None = None) -> Origin:
    from assistctl.core.planfile import Origin

    return Origin(
        project=project,
        environment=environment,
        provider=target.provider.name,
        base_url=target.base_url,
        api_version=target.api_version,
        # Absolute: a saved plan applied from another directory must reach the same state file.
        local_state=str(target.local_state.absolute()) if target.local_state is not None else None,
    )


def target_of(target: Target, project: str, environment: str | None = None) -> PlanTarget:
    """Where a plan is made, as the plan records and shows it."""
    from assistctl.core.plan import PlanTarget

    return PlanTarget(
        host=target.host, base_url=target.base_url, project=project, environment=environment
    )


def project_name(g: GlobalOptions, config: ProjectConfig) -> str:
    """The project name (the ownership scope with ``@ENV`` when an environment is chosen):
    ``--project`` (or ``ASSISTCTL_PROJECT``), else the project file's name, else
    ``default``."""
    from assistctl.labels import is_valid_name

    # An empty --project (a script's unset variable) is an error, not the project file's
    # name: the project decides what apply may delete.
    name = g.project if g.project is not None else config.project
    if not is_valid_name(name):
        raise UsageError(
            f"--project '{name}' is not a valid project name (letters, digits, '.', '_', '-')."
        )
    return name


def delete_guard(policy: Policy) -> DeleteGuard:
    """The mass-delete guard: the defaults, only ever tightened by the project policy."""
    from assistctl.core.plan import DeleteGuard

    return DeleteGuard().tightened(policy.max_delete_percent, policy.min_managed_for_delete_check)


def status(g: GlobalOptions, message: str) -> None:
    """A progress note for people: stderr, so stdout stays machine-readable."""
    if not g.quiet:
        click.echo(message, err=True)


def connect(
    g: GlobalOptions, project: ProjectLike | None = None, **kwargs: Any
) -> AssistantsClient:
    """The client for the host the flags, environment and project file name (``kwargs`` go
    to :class:`~assistctl.api.client.AssistantsClient`); provider ``local`` is served by the
    emulator in this process."""
    from assistctl.api.client import AssistantsClient

    return AssistantsClient.from_options(g, project, transport_for=local_transport, **kwargs)


def local_transport(target: Target) -> httpx.BaseTransport | None:
    """The emulator as the transport of a target served in process; None for the network."""
    if not target.is_local:
        return None
    # Imported here: only --provider local needs the emulator in this process.
    from assistctl.emulator.transport import LocalTransport, local_app

    return LocalTransport(local_app(target.local_state))


def open_session(
    g: GlobalOptions,
    paths: tuple[str, ...],
    verb: str,
    *,
    digest: bool = False,
    on_throttle: Callable[[], None] | None = None,
    check_references: bool = True,
) -> Session:
    """Validate (nothing is sent for invalid manifests), list live state once and plan, then
    check what the manifests refer to on the host (models, files, vector stores).

    The whole project is loaded and validated; path arguments inside it select the keys
    planned (:mod:`assistctl.config.selection`). ``digest``: also compute the manifests'
    digest (``plan --out``), now, because the manifests themselves are not kept: the planner
    lets each go once it is planned. ``on_throttle``: called on every 429 the client gets
    (apply's limit listens). ``check_references``: ask the host about the models, files and
    vector stores the selected manifests name (plan and apply; drift reports on the
    assistants only).
    """
    from assistctl.api import references as host_references
    from assistctl.config.selection import load_selection
    from assistctl.core.plan import Planner, Targeting
    from assistctl.core.references import references
    from assistctl.labels import describe_scope, scope_of

    selection = load_selection(paths, api_version=g.api_version, environment=g.env)
    loaded = selection.loaded
    project = project_name(g, loaded.project)
    environment = loaded.environment
    scope = scope_of(project, environment)
    siblings = [name for name in loaded.project.environments if name != environment]
    guard = delete_guard(loaded.project.policy)
    keys = None if selection.keys is None else set(selection.keys)
    targeting = (
        None
        if selection.keys is None
        else Targeting(keys=selection.keys, manifests=selection.total)
    )
    manifests_digest = _digest(loaded, keys) if digest else None
    wanted = references(
        (lm.manifest, lm.file) for lm in loaded.manifests if keys is None or lm.manifest.key in keys
    )
    client = connect(g, loaded.project.settings(environment), on_throttle=on_throttle)
    try:
        status(g, f"{verb} {describe_scope(scope)} against {client.target.display} ...")
        version = "v1" if client.target.api_version == "v1" else "v2"
        manifests = (
            lm.manifest for lm in loaded.manifests if keys is None or lm.manifest.key in keys
        )
        planner = Planner(
            manifests, scope, api_version=version, targeting=targeting, siblings=siblings
        )
        del loaded, selection  # the planner holds the only references to the manifests now
        plan = list_and_plan(client, planner)
        # After the listing, whose errors say most about a host that cannot serve us.
        missing = host_references.check(client, wanted) if check_references else []
        # Every format names where the plan was made (a PR comment must say which host).
        where = target_of(client.target, project, environment)
        plan = plan.model_copy(update={"target": where, "problems": (*plan.problems, *missing)})
    except BaseException:
        client.close()
        raise
    return Session(g, project, client, plan, manifests_digest, guard, environment)


def _digest(loaded: LoadResult, keys: set[str] | None) -> str:
    from assistctl.core.planfile import manifests_digest

    return manifests_digest(
        {"key": lm.manifest.key, **lm.manifest.api_body()}
        for lm in loaded.manifests
        if keys is None or lm.manifest.key in keys
    )


def list_and_plan(client: AssistantsClient, planner: Planner) -> Plan:
    """List the live assistants into ``planner``, and return its plan.

    Each page is planned while the next one is fetched, and then dropped: neither the time
    to plan nor the memory of the raw objects adds up with the listing.
    """
    from assistctl.api.prefetch import ahead

    for page in ahead(client.pages()):  # perf: the next page is fetched meanwhile (prefetch)
        for obj in page:
            planner.add(obj)
            # perf: hand the GIL over, so the listing thread sends the next request as soon
            # as it has it instead of up to the 5 ms switch interval later, on every page;
            # benchmarks/plan_scaling.py (see benchmarks/README.md, plan scaling).
            time.sleep(0)
    return planner.finish()


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
