"""``assistctl apply PATH... | PLANFILE``: converge live assistants on the manifests.

With manifest paths, a fresh plan is computed, shown, and confirmed (``yes`` on a TTY, or
``--auto-approve``). With one plan file written by ``plan --out``, that plan is executed
exactly, without a prompt (it was reviewed when it was made, as in Terraform), after
checking that it was not edited, that it was made for the host and project this apply
targets (from the command line, the environment and ``assistctl.yaml``: never from the
file), and that nothing it touches moved since. Either way, the applier reads each
assistant again right before modifying or deleting it (see :mod:`assistctl.api.apply`).
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import click

from assistctl.api.apply import ApplyReport
from assistctl.cli.commands._jsonrun import JsonRun, json_run
from assistctl.cli.commands._shared import (
    connect,
    delete_guard,
    open_session,
    origin_of,
    project_name,
    status,
)
from assistctl.cli.error_handler import EXIT_ERROR, EXIT_OK
from assistctl.errors import ApplyFailed, Interrupted, UsageError
from assistctl.options import GlobalOptions
from assistctl.output.applied import final_sentence, json_body, json_errors
from assistctl.output.console import use_color

if TYPE_CHECKING:
    from assistctl.api.client import AssistantsClient
    from assistctl.api.limiter import Throttles
    from assistctl.core.plan import Plan


@dataclass(frozen=True)
class ApplyOptions:
    g: GlobalOptions
    paths: tuple[str, ...]
    auto_approve: bool = False
    parallelism: int = 4
    allow_mass_delete: bool = False
    fmt: str = "text"


def _not_yaml_file(path: str) -> bool:
    p = Path(path)
    return p.is_file() and p.suffix.lower() not in (".yaml", ".yml")


def is_plan_file(paths: tuple[str, ...]) -> bool:
    """One regular file that is not YAML: a saved plan (manifests are always YAML)."""
    return len(paths) == 1 and _not_yaml_file(paths[0])


def execute(opts: ApplyOptions) -> int:
    with json_run("apply", opts.fmt) as run:
        return _execute(opts, run)


def _execute(opts: ApplyOptions, run: JsonRun) -> int:
    if is_plan_file(opts.paths):
        return _apply_saved(opts, run, opts.paths[0])
    others = [p for p in opts.paths if _not_yaml_file(p)]
    if others:
        # Otherwise a plan file given with manifests is read as a manifest: a dozen
        # "unknown field" errors instead of the point.
        raise UsageError(
            f"{others[0]} is not a YAML manifest; apply takes manifest paths or one plan "
            "file written by 'assistctl plan --out', not both."
        )
    return _apply_fresh(opts, run)


def _apply_fresh(opts: ApplyOptions, run: JsonRun) -> int:
    from assistctl.api.deadline import APPLY_DEADLINE
    from assistctl.api.limiter import Throttles
    from assistctl.output.render import plan_summary, render_plan

    throttles = Throttles()
    session = open_session(
        opts.g, opts.paths, "Planning", on_throttle=throttles, deadline=APPLY_DEADLINE
    )
    try:
        plan = session.plan
        # With --format json the plan is for the person at the prompt (stderr): stdout
        # holds the one document.
        if not (opts.g.quiet and opts.auto_approve):
            run.say(render_plan(plan, "text", color=use_color(opts.g, run.stream)).rstrip("\n"))
        elif plan.is_safe and not plan.has_changes:
            # Nobody reviews this plan: -q shows only the result (the error names any
            # problem, and the final report what was done; neither names the target).
            run.say(plan_summary(plan))
        plan.raise_if_unsafe(allow_mass_delete=opts.allow_mass_delete, guard=session.guard)
        if not plan.has_changes:
            run.body = json_body(ApplyReport(), session.scope)
            return EXIT_OK
        with session.client.deadline.paused():  # a person's time, not the host's
            confirmed = _confirmed(opts, plan)
        if not confirmed:
            click.echo("Apply cancelled: nothing was changed.", err=True)
            run.errors = [{"message": "Apply cancelled: nothing was changed."}]
            return EXIT_ERROR
        return _run(opts, run, session.client, plan, throttles, session.scope)
    finally:
        session.close()


def _apply_saved(opts: ApplyOptions, run: JsonRun, source: str) -> int:
    from assistctl.api.deadline import APPLY_DEADLINE
    from assistctl.api.limiter import Throttles
    from assistctl.config.environments import select_environment
    from assistctl.config.project import load_project
    from assistctl.core import planfile
    from assistctl.labels import describe_scope, scope_of

    try:
        text = Path(source).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise UsageError(f"Cannot read plan file {source}: {err}.") from None
    saved = planfile.loads(text, source)
    # The environment is this run's word (--env, ASSISTCTL_ENV), never the file's.
    planfile.check_environment(saved, opts.g.env, source)
    # The file is untrusted: where to send the key and which project's assistants may be
    # touched come from this run's configuration, as for a fresh plan, and the file must
    # have been made for exactly that.
    config, project_file = load_project([Path.cwd()])
    if opts.g.env is not None and project_file is None:
        raise UsageError(
            f"--env {opts.g.env}: no assistctl.yaml in or above {Path.cwd()}, so the "
            "environment's host and key are unknown; run the apply from the project's directory."
        )
    environment = select_environment(tuple(config.environments), opts.g.env, required=True)
    project = project_name(opts.g, config)
    scope = scope_of(project, environment)
    throttles = Throttles()
    client = connect(
        opts.g, config.settings(environment), on_throttle=throttles, deadline=APPLY_DEADLINE
    )
    try:
        planfile.check_origin(saved, origin_of(client.target, project, environment), source)
        where = describe_scope(scope)
        status(opts.g, f"Applying {source} to {where} on {client.target.display} ...")
        live = client.list_all()
        planfile.raise_if_stale(saved, live, source)
        plan = planfile.checked_against_live(saved, live, scope, source)
        plan.raise_if_unsafe(
            allow_mass_delete=opts.allow_mass_delete, guard=delete_guard(config.policy)
        )
        if not plan.has_changes:
            # The result, so shown even with -q.
            click.echo("No changes in this plan.", err=True)
            run.body = json_body(ApplyReport(), scope)
            return EXIT_OK
        return _run(opts, run, client, plan, throttles, scope)
    finally:
        client.close()


def _confirmed(opts: ApplyOptions, plan: Plan) -> bool:
    from assistctl.cli.commands._confirm import confirmed

    deletes = plan.deletes
    warning = (
        f"WARNING: this apply DELETES {len(deletes)} assistant(s): "
        + ", ".join(c.key for c in deletes)
        if deletes
        else None
    )
    return confirmed(
        opts.g,
        opts.auto_approve,
        refusal="Refusing to apply without a terminal to confirm on; pass --auto-approve "
        "(or apply a reviewed plan file: 'assistctl plan --out FILE', then "
        "'assistctl apply FILE').",
        warning=warning,
    )


def _run(
    opts: ApplyOptions,
    run: JsonRun,
    client: AssistantsClient,
    plan: Plan,
    throttles: Throttles,
    scope: str,
) -> int:
    from contextlib import ExitStack

    from assistctl.api.apply import Applier, apply_plan
    from assistctl.cli import interrupt
    from assistctl.output.progress import TtyProgress, choose

    total = len(plan.creates) + len(plan.updates) + len(plan.deletes)
    progress = choose(sys.stderr, total, quiet=opts.g.quiet)
    with ExitStack() as stack:

        def ctrl_c_stops(applier: Applier) -> None:
            # Ctrl-C stops the applier, which reports what was not started and what is
            # unknown, instead of ending the command where it stands.
            stack.enter_context(interrupt.graceful(applier.stop))

        report = apply_plan(
            client,
            plan,
            parallelism=opts.parallelism,
            progress=progress,
            throttles=throttles,
            scope=scope,
            on_applier=ctrl_c_stops,
        )
    run.body = json_body(report, scope)
    # The live bar of a terminal names only failures; the final report names the rest.
    _report(opts, run, report, list_succeeded=isinstance(progress, TtyProgress))
    if report.interrupted:
        run.errors = json_errors(report)
        unknown = f", {len(report.unknown)} unknown" if report.unknown else ""
        raise Interrupted(
            f"interrupted (Ctrl-C): {len(report.not_started)} change(s) not started{unknown}; "
            "run apply again to finish (it converges)."
        )
    if not report.ok:
        run.errors = json_errors(report)
        raise ApplyFailed(
            f"{len(report.failed)} of {len(report.outcomes) + len(report.not_started)} "
            "change(s) failed; fix the cause and run apply again (it converges)."
        )
    return EXIT_OK


def _report(opts: ApplyOptions, run: JsonRun, report: ApplyReport, *, list_succeeded: bool) -> None:
    from assistctl.output.progress import describe

    if list_succeeded:
        for outcome in report.succeeded:
            click.echo(describe(outcome), err=True)
    for outcome in report.failed:
        click.echo(describe(outcome), err=True)
    for warning in report.warnings:
        click.echo(f"Warning: {warning}.", err=True)
    if report.interrupted:
        # Named one per line, like the progress lines: what the rerun will still do.
        for change in report.not_started:
            click.echo(f"not started: {change.action} {change.key}", err=True)
        for change in report.unknown:
            click.echo(
                f"unknown: {change.action} {change.key} (sent, no answer before the stop; "
                "the next plan shows whether it was done)",
                err=True,
            )
    run.say(final_sentence(report, opts.parallelism))
