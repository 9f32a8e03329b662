"""What plan, drift and apply share: load manifests, reach the host, list live state once."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistctl.errors import AssistctlError, UsageError
from assistctl.options import GlobalOptions

if TYPE_CHECKING:
    import httpx

    from assistctl.api.client import AssistantsClient
    from assistctl.api.listing import Listing
    from assistctl.api.target import Target
    from assistctl.config.environments import TargetSettings
    from assistctl.config.loader import LoadResult
    from assistctl.config.project import Policy, ProjectConfig
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
    from assistctl.cli.interrupt import cancel_on_interrupt

    client = AssistantsClient.from_options(g, project, transport_for=local_transport, **kwargs)
    cancel_on_interrupt(client)  # Ctrl-C: nothing more is sent, from any thread
    return client


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
    deadline: float | None = None,
    check_references: bool = True,
) -> Session:
    """Validate (nothing that changes anything is sent for invalid manifests), list live
    state once and plan, then check what the manifests refer to on the host (models, files,
    vector stores).

    The listing starts as soon as the project file is read and the target resolved (the
    same trusted-host checks as any request), and runs while the manifests load (it only
    reads); an invalid manifest ends the command with its diagnostics, and the listing is
    abandoned. The whole project is loaded and validated; path arguments inside it select
    the keys planned (:mod:`assistctl.config.selection`). ``digest``: also compute the
    manifests' digest (``plan --out``), now, because the manifests themselves are not kept:
    the planner lets each go once it is planned. ``on_throttle``: called on every 429 the
    client gets (apply's limit listens). ``deadline``: the command's default time with its
    host (``--deadline`` overrides it). ``check_references``: ask the host about the models,
    files and vector stores the selected manifests name (plan and apply; drift reports on
    the assistants only).
    """
    extra: dict[str, Any] = {} if deadline is None else {"deadline": deadline}
    early = _list_early(g, paths, on_throttle=on_throttle, **extra)
    # perf: imported once the listing is under way (the manifests' models, the planner):
    # its first requests do not wait for them; benchmarks/listing.py (see
    # benchmarks/README.md, listing from both ends).
    from assistctl.api import references as host_references
    from assistctl.config.selection import load_selection
    from assistctl.core.plan import Planner, Targeting
    from assistctl.core.references import references
    from assistctl.labels import describe_scope, scope_of

    try:
        selection = load_selection(paths, api_version=g.api_version, environment=g.env)
    except AssistctlError:
        if early is not None:
            early.abandon(wait=ABANDON_WAIT)
        raise
    except BaseException:  # Ctrl-C: nothing is waited for
        if early is not None:
            early.abandon()
        raise
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
    client, listing = _client_for(
        g, early, loaded.project.settings(environment), on_throttle=on_throttle, **extra
    )
    try:
        status(g, f"{verb} {describe_scope(scope)} against {client.target.display} ...")
        version = "v1" if client.target.api_version == "v1" else "v2"
        manifests = (
            lm.manifest for lm in loaded.manifests if keys is None or lm.manifest.key in keys
        )
        # The walk lists every assistant of the host; the scope (project@environment) is what
        # the planner counts as ours, and the sibling environments' as not ours to touch.
        planner = Planner(
            manifests, scope, api_version=version, targeting=targeting, siblings=siblings
        )
        del loaded, selection  # the planner holds the only references to the manifests now
        # After the listing's first page, whose errors say most about a host that cannot
        # serve us: a host failing it is asked nothing more, and the listing's errors come
        # first. perf: sent meanwhile rather than after its last page, a round trip less;
        # benchmarks/listing.py (see benchmarks/README.md, listing from both ends).
        checks = host_references.Deferred(client, wanted) if check_references else None
        plan = list_and_plan(client, planner, listing, checks.start if checks else None)
        missing = checks.result() if checks is not None else []
        # Every format names where the plan was made (a PR comment must say which host).
        where = target_of(client.target, project, environment)
        plan = plan.model_copy(update={"target": where, "problems": (*plan.problems, *missing)})
    except BaseException:
        client.close()
        raise
    return Session(g, project, client, plan, manifests_digest, guard, environment)


ABANDON_WAIT = 1.0
"""Seconds an invalid manifest's command waits for list requests already on the wire, so
that none reaches the host after the command said what was wrong."""


@dataclass
class _Early:
    """A listing started before the manifests are loaded, or why it could not start."""

    settings: TargetSettings
    """What the target was resolved from: the project file's, for the chosen environment."""
    client: AssistantsClient | None = None
    listing: Listing | None = None
    error: AssistctlError | None = None

    def abandon(self, *, wait: float = 0.0) -> None:
        if self.listing is not None:
            self.listing.close(wait=wait)
        if self.client is not None:
            self.client.close()


def _list_early(g: GlobalOptions, paths: tuple[str, ...], **kwargs: Any) -> _Early | None:
    """Start listing for the project the paths are in, in the environment ``--env`` names;
    None when a path, the project file, the project name or the environment is wrong (the
    loading says why, and nothing is sent). An error reaching the host (a host the trusted
    side did not choose included) is kept for after the loading."""
    from assistctl.config.environments import select_environment
    from assistctl.config.project import load_project

    if not paths or not all(os.path.exists(p) for p in paths):
        return None
    try:
        config, _ = load_project(list(paths))
        project_name(g, config)
        environment = select_environment(tuple(config.environments), g.env, required=True)
    except AssistctlError:
        return None
    early = _Early(config.settings(environment))
    try:
        early.client = connect(g, early.settings, **kwargs)
        early.listing = early.client.listing()
    except AssistctlError as err:
        early.abandon()
        early.client, early.error = None, err
    return early


def _client_for(
    g: GlobalOptions, early: _Early | None, settings: TargetSettings, **kwargs: Any
) -> tuple[AssistantsClient, Listing | None]:
    """The early listing's client and listing when it was started for ``settings`` (what the
    loading found); else a new client, the listing to be started by :func:`list_and_plan`."""
    if early is not None and early.settings == settings:
        if early.error is not None:
            raise early.error  # after the manifests' errors, as if it had waited for them
        assert early.client is not None
        return early.client, early.listing
    if early is not None:
        early.abandon()  # the loading found another project file than the paths named
    return connect(g, settings, **kwargs), None


def _digest(loaded: LoadResult, keys: set[str] | None) -> str:
    from assistctl.core.planfile import manifests_digest

    return manifests_digest(
        {"key": lm.manifest.key, **lm.manifest.api_body()}
        for lm in loaded.manifests
        if keys is None or lm.manifest.key in keys
    )


def list_and_plan(
    client: AssistantsClient,
    planner: Planner,
    listing: Listing | None = None,
    first_page: Callable[[], None] | None = None,
) -> Plan:
    """List the live assistants into ``planner`` (``listing``, when one is already under
    way), and return its plan; ``first_page`` is called when the first page has come.

    Each page is planned while the next ones are fetched, and then dropped: neither the time
    to plan nor the memory of the raw objects adds up with the listing.
    """
    # perf: the next pages are fetched meanwhile (api/listing); benchmarks/plan_scaling.py.
    for page in listing if listing is not None else client.listing():
        if first_page is not None:
            first_page()
            first_page = None
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
