"""``assistctl plan``: show what apply would do; optionally save it for ``apply FILE``."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from assistctl.cli.commands._jsonrun import JsonRun, json_run
from assistctl.cli.commands._shared import open_session, status, write_output
from assistctl.cli.error_handler import EXIT_CHANGES, EXIT_OK
from assistctl.errors import UsageError
from assistctl.options import GlobalOptions
from assistctl.output.console import use_color


@dataclass(frozen=True)
class PlanOptions:
    g: GlobalOptions
    paths: tuple[str, ...]
    fmt: str = "text"
    out: str | None = None
    detailed_exitcode: bool = False
    allow_mass_delete: bool = False


def execute(opts: PlanOptions) -> int:
    with json_run("plan", opts.fmt) as run:
        return _plan(opts, run)


def _plan(opts: PlanOptions, run: JsonRun) -> int:
    if opts.out == "-":
        # A saved plan on stdout would be mixed with the rendered plan: a file it must be.
        raise UsageError("--out needs a file name; '-' (stdout) cannot hold a saved plan.")
    session = open_session(opts.g, opts.paths, "Planning", digest=bool(opts.out))
    session.close()  # the live state is read and planned: no more requests
    # perf: imported once the listing has started (open_session); benchmarks/listing.py.
    from assistctl.output.render import plan_json, render_plan

    plan = session.plan
    if run.enabled:
        run.body = plan_json(plan)
    else:
        color = use_color(opts.g, sys.stdout)
        write_output(render_plan(plan, opts.fmt, color=color, quiet=opts.g.quiet), None)
    plan.raise_if_unsafe(allow_mass_delete=opts.allow_mass_delete, guard=session.guard)
    if opts.out:
        # perf: only a saved plan needs this module (and the digest above); benchmarks/apply.py
        # (see benchmarks/README.md, apply throughput: the fixed part).
        from assistctl.core import planfile

        assert session.manifests_digest is not None
        saved = planfile.build(plan, session.origin(), session.manifests_digest)
        write_output(planfile.dumps(saved), opts.out)
        status(opts.g, f"Saved the plan to {opts.out}; run 'assistctl apply {opts.out}'.")
    if opts.detailed_exitcode and plan.has_changes:
        return EXIT_CHANGES
    return EXIT_OK
