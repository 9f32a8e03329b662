"""``assistctl drift``: the plan read as a report for cron jobs. 0 in sync, 2 drift, 1 error."""

from __future__ import annotations

import sys
from dataclasses import dataclass

from assistctl.cli.commands._jsonrun import json_run
from assistctl.cli.commands._shared import open_session, write_output
from assistctl.cli.error_handler import EXIT_CHANGES, EXIT_OK
from assistctl.options import GlobalOptions
from assistctl.output.console import use_color


@dataclass(frozen=True)
class DriftOptions:
    g: GlobalOptions
    paths: tuple[str, ...]
    fmt: str = "text"
    out: str | None = None


def execute(opts: DriftOptions) -> int:
    # With --out, the report goes to the file, and so does the document of a failed run.
    with json_run("drift", opts.fmt, out=opts.out) as run:
        session = open_session(opts.g, opts.paths, "Checking drift of", check_references=False)
        session.close()  # the live state is read and planned: no more requests
        # perf: imported once the listing has started (open_session); benchmarks/listing.py.
        from assistctl.core.plan import drift_report
        from assistctl.output.render import drift_json, render_drift

        report = drift_report(session.plan)
        if run.enabled:
            run.body = drift_json(report)
        else:
            color = opts.out is None and use_color(opts.g, sys.stdout)
            quiet = opts.g.quiet and opts.out is None  # a report in a file stays whole
            write_output(render_drift(report, opts.fmt, color=color, quiet=quiet), opts.out)
        return EXIT_OK if report.in_sync else EXIT_CHANGES
