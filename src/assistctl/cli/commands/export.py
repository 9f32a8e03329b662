"""``assistctl export [--out DIR] [--all] [--force]``: manifests for the live assistants.

Read-only towards the API: export lists the assistants once and never writes to the host.
By default it writes this project's managed assistants (key from the label); ``--all`` adds
unmanaged assistants and other projects' ones, each with a comment saying how to adopt it
(``assistctl import``), because until then ``apply`` would create a copy.

Files: ``DIR/KEY.yaml`` per assistant, ``DIR/prompts/KEY.md`` for long instructions, and
``DIR/assistctl.yaml`` (``project: NAME``) when no project file is found above DIR and the
project is not ``default``, so that ``assistctl plan DIR`` sees the same project. Existing
files are never overwritten without ``--force``: the check covers every file before the first
one is written. Each file is written atomically (a temporary file renamed over it).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistctl.cli.commands._jsonrun import JsonRun, json_run
from assistctl.cli.commands._shared import connect, project_name, status
from assistctl.cli.error_handler import EXIT_OK
from assistctl.config.project import DEFAULT_PROJECT, PROJECT_FILE, load_project
from assistctl.errors import AssistctlError, UsageError
from assistctl.options import GlobalOptions

if TYPE_CHECKING:
    from assistctl.core.export import Exported, ExportResult

DEFAULT_OUT = "assistants"
SCHEMA_FILE = Path("schemas") / "assistant.schema.json"


class ExportIncomplete(AssistctlError):
    """Some assistants could not be exported; the others were written."""


@dataclass(frozen=True)
class ExportOptions:
    g: GlobalOptions
    out: str | None = None
    include_all: bool = False
    force: bool = False
    fmt: str = "text"


def execute(opts: ExportOptions) -> int:
    with json_run("export", opts.fmt) as run:
        return _export(opts, run)


def _export(opts: ExportOptions, run: JsonRun) -> int:
    from assistctl.config.project import policy_violations
    from assistctl.core.export import export_assistants

    out = Path(opts.out or DEFAULT_OUT)
    shown = opts.out or DEFAULT_OUT
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {shown} is a file; export writes a directory of manifests.")
    config, project_file = load_project([out])
    project = project_name(opts.g, config)
    if project_file is not None and project != config.project:
        status(
            opts.g,
            f"note: --project '{project}' differs from {project_file}'s project "
            f"'{config.project}'; pass --project {project} to plan and apply these manifests too.",
        )

    with connect(opts.g, config) as client:
        status(opts.g, f"Exporting project '{project}' from {client.target.display} ...")
        live = client.list_all()
        api_version = client.target.api_version
        where = client.target.display

    result = export_assistants(
        live,
        project,
        include_all=opts.include_all,
        api_version=api_version,
        schema=_schema_path(out),
        out=shown,
    )
    if not result.exported and not result.skipped:
        run.body = _json_body(project, shown, out, result)
        more = "" if opts.include_all else " (--all exports unmanaged assistants too)"
        run.say(f"No assistants of project '{project}' on {where}; nothing to export{more}.")
        return EXIT_OK

    files: dict[Path, str] = {}
    for item in result.exported:
        files[out / item.filename] = item.text
        if item.prompt_filename is not None and item.prompt is not None:
            files[out / item.prompt_filename] = item.prompt
    if result.exported and project_file is None and project != DEFAULT_PROJECT:
        files[out / PROJECT_FILE] = (
            "# Written by 'assistctl export': the project these manifests belong to.\n"
            f"project: {project}\n"
        )
    existing = sorted(str(p) for p in files if os.path.lexists(p))
    if existing and not opts.force:
        listed = ", ".join(existing[:5]) + (
            f" and {len(existing) - 5} more" if existing[5:] else ""
        )
        raise UsageError(
            f"Refusing to overwrite {len(existing)} existing file(s): {listed}; rerun with "
            "--force to overwrite them, or choose another directory with --out."
        )

    for path, text in files.items():
        _write_atomic(path, text)
    written_project = out / PROJECT_FILE if out / PROJECT_FILE in files else None
    run.body = _json_body(project, shown, out, result, written_project)
    for item in result.exported:
        note = {"managed": "managed", "unmanaged": "UNMANAGED", "other_project": "other project"}
        prompt = f" + {out / item.prompt_filename}" if item.prompt_filename else ""
        if not opts.g.quiet:  # -q: the summary below is the result
            run.say(
                f"wrote {out / item.filename}{prompt}  ({item.assistant_id}, {note[item.status]})"
            )
        assert item.manifest is not None
        for _, problem in policy_violations(item.manifest, config.policy):
            click.echo(
                f"assistctl: warning: {out / item.filename}: {problem}; 'assistctl plan' "
                "refuses the manifest until it is fixed.",
                err=True,
            )
    if written_project is not None and not opts.g.quiet:
        run.say(f"wrote {written_project}  (project: {project})")

    _summary(run, project, shown, result)
    if result.skipped:
        lines = "; ".join(f"{s.assistant_id}: {s.reason}" for s in result.skipped)
        raise ExportIncomplete(
            f"{len(result.skipped)} assistant(s) could not be exported ({lines}); "
            "the others were written."
        )
    return EXIT_OK


def _summary(run: JsonRun, project: str, shown: str, result: ExportResult) -> None:
    managed = [e for e in result.exported if e.status == "managed"]
    others = [e for e in result.exported if e.status != "managed"]
    run.say(
        f"Exported {len(result.exported)} assistant(s) of project '{project}' to {shown} "
        f"({len(managed)} managed, {len(others)} not yet adopted)."
    )
    if others:
        run.say("Adopt the others before 'assistctl apply', or apply creates copies of them:")
        for item in others:
            run.say(f"  {_adopt_command(item, shown)}")
    run.say(f"Run 'assistctl plan {shown}': it shows no changes for the adopted assistants.")


def _adopt_command(item: Exported, shown: str) -> str:
    force = " --force" if item.status == "other_project" else ""
    return f"assistctl import {item.key}={item.assistant_id} {shown}{force}"


def _json_body(
    project: str,
    shown: str,
    out: Path,
    result: ExportResult,
    project_file: Path | None = None,
) -> dict[str, Any]:
    """``export``'s own fields of its JSON document: what it wrote (``project_file``: the
    ``assistctl.yaml`` it wrote, if any) and what it could not export."""
    return {
        "project": project,
        "out": shown,
        "project_file": str(project_file) if project_file is not None else None,
        "exported": [
            {
                "key": item.key,
                "id": item.assistant_id,
                "name": item.name,
                "status": item.status,
                "file": str(out / item.filename),
                "prompt_file": str(out / item.prompt_filename) if item.prompt_filename else None,
                "adopt": _adopt_command(item, shown) if item.status != "managed" else None,
            }
            for item in result.exported
        ],
        "skipped": [
            {"id": s.assistant_id, "name": s.name, "reason": s.reason} for s in result.skipped
        ],
    }


def _schema_path(out: Path) -> str | None:
    """The modeline's path: ``schemas/assistant.schema.json`` found above ``out``, relative."""
    directory = out.resolve()
    for candidate in (directory, *directory.parents):
        if (candidate / SCHEMA_FILE).is_file():
            return Path(os.path.relpath(candidate / SCHEMA_FILE, directory)).as_posix()
        if (candidate / ".git").exists():
            return None
    return None


def _write_atomic(path: Path, text: str) -> None:
    """Write exactly ``text`` (no newline translation): a temporary file renamed over ``path``."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise UsageError(f"Cannot write {path}: {err.strerror or err}.") from None
