"""``assistctl export [--out DIR] [--all] [--force]``: manifests for the live assistants.

Read-only towards the API: export lists the assistants once and never writes to the host.
By default it exports this project's managed assistants (key from the label); ``--all`` adds
unmanaged assistants and other projects' ones, each with a comment saying how to adopt it
(``assistctl import``), because until then ``apply`` would create a copy.

Non-destructive: a manifest that exists in the project is updated in place (comments, key
order, ``lifecycle``, ``instructions_file`` and the file's other documents kept); a new file
``DIR/KEY.yaml`` (and ``DIR/prompts/KEY.md`` for long instructions) is written only for an
assistant that has none, and ``DIR/assistctl.yaml`` (``project: NAME``) when no project file
is found above DIR and the project is not ``default``. ``--force`` is only for a new file's
name taken by a file that is not a manifest of the project. Everything is written inside
DIR, whatever the host calls its assistants, and only after every check passed; each file
atomically (a temporary file renamed over it).
"""

from __future__ import annotations

import os
import stat
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from assistctl.cli.commands._jsonrun import JsonRun, json_run
from assistctl.cli.commands._shared import connect, project_name, status
from assistctl.cli.error_handler import EXIT_OK
from assistctl.config.environments import select_environment
from assistctl.config.project import DEFAULT_PROJECT, PROJECT_FILE, load_project
from assistctl.config.reffiles import in_work_tree
from assistctl.errors import AssistctlError, UsageError
from assistctl.labels import describe_scope, scope_of, split_scope
from assistctl.options import GlobalOptions

if TYPE_CHECKING:
    from assistctl.config.project import ProjectConfig
    from assistctl.core.export import Exported, ExportResult, Updated

DEFAULT_OUT = "assistants"
SCHEMA_FILE = Path("schemas") / "assistant.schema.json"
_NOTE = {"managed": "managed", "unmanaged": "UNMANAGED", "other_project": "other project"}


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
    from assistctl.config.existing import read_existing
    from assistctl.core.export import export_assistants

    out = Path(opts.out or DEFAULT_OUT)
    shown = opts.out or DEFAULT_OUT
    if out.exists() and not out.is_dir():
        raise UsageError(f"--out {shown} is a file; export writes a directory of manifests.")
    config, project_file = load_project([out])
    name = project_name(opts.g, config)
    environment = select_environment(tuple(config.environments), opts.g.env, required=True)
    # The scope: the project, or project@environment; what is exported is its assistants.
    project = scope_of(name, environment)
    if project_file is not None and name != config.project:
        status(
            opts.g,
            f"note: --project '{name}' differs from {project_file}'s project "
            f"'{config.project}'; pass --project {name} to plan and apply these manifests too.",
        )

    with connect(opts.g, config.settings(environment)) as client:
        status(opts.g, f"Exporting {describe_scope(project)} from {client.target.display} ...")
        live = client.list_all()
        api_version = client.target.api_version
        where = client.target.display

    root = project_file.parent if project_file is not None else out
    existing = read_existing(root, out, api_version=api_version, environment=environment)
    real_out = os.path.realpath(out)
    result = export_assistants(
        live,
        project,
        include_all=opts.include_all,
        api_version=api_version,
        schema=_schema_path(out),
        out=shown,
        existing=existing,
        occupied=lambda name: os.path.realpath(out / name) in existing.occupied,
    )
    if not result.exported and not result.updated and not result.skipped:
        run.body = _json_body(project, shown, out, result)
        more = "" if opts.include_all else " (--all exports unmanaged assistants too)"
        run.say(f"No assistants of {describe_scope(project)} on {where}; nothing to export{more}.")
        return EXIT_OK

    new = _new_files(result, out, name, project_file)
    _refuse_overwrites(new, opts.force)
    writes = {
        **new,
        **{Path(existing.real[file]): text for file, text in result.files.items()},
        **{Path(path): text for path, text in result.prompts.items()},
    }
    for path in writes:
        _check_inside(path, real_out, shown)
    for path, text in writes.items():
        _write_atomic(path, text)
    written_project = out / PROJECT_FILE if out / PROJECT_FILE in new else None
    run.body = _json_body(project, shown, out, result, written_project)
    _report(opts, run, out, result, config)
    if written_project is not None and not opts.g.quiet:
        run.say(f"wrote {written_project}  (project: {name})")
    _summary(run, project, shown, result)
    if any(item.prompt_filename for item in result.exported) and in_work_tree(str(out)):
        run.say(
            f"Instructions files are read only once git tracks them: 'git add {shown}' "
            "before planning."
        )
    if result.skipped:
        lines = "; ".join(f"{s.assistant_id}: {s.reason}" for s in result.skipped)
        raise ExportIncomplete(
            f"{len(result.skipped)} assistant(s) could not be exported ({lines}); "
            "the others were written."
        )
    return EXIT_OK


def _new_files(
    result: ExportResult, out: Path, project: str, project_file: Path | None
) -> dict[Path, str]:
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
    return files


def _refuse_overwrites(new: dict[Path, str], force: bool) -> None:
    """A new file's name may be taken by a file that is not one of the project's manifests
    (those are updated, never replaced): only --force overwrites it."""
    existing = sorted(str(p) for p in new if os.path.lexists(p))
    if existing and not force:
        listed = ", ".join(existing[:5]) + (
            f" and {len(existing) - 5} more" if existing[5:] else ""
        )
        raise UsageError(
            f"Refusing to overwrite {len(existing)} file(s) that are not manifests of this "
            f"project: {listed}; rerun with --force to overwrite them, or move them away."
        )


def _check_inside(path: Path, real_out: str, shown: str) -> None:
    """Every write lands inside --out, symbolic links followed (a link named like a new file,
    or a directory on the way, must not lead elsewhere)."""
    real = os.path.realpath(path.parent)  # what does not exist yet, export creates
    if not (real == real_out or real.startswith(real_out.rstrip(os.sep) + os.sep)):
        raise UsageError(
            f"Refusing to write {path}: it is outside --out {shown} (a symbolic link leads "
            "elsewhere); export writes only inside --out. Nothing was written."
        )


def _report(
    opts: ExportOptions, run: JsonRun, out: Path, result: ExportResult, config: ProjectConfig
) -> None:
    from assistctl.config.project import policy_violations

    for item in result.exported:
        prompt = f" + {out / item.prompt_filename}" if item.prompt_filename else ""
        if not opts.g.quiet:  # -q: the summary below is the result
            note = _NOTE[item.status]
            run.say(f"wrote {out / item.filename}{prompt}  ({item.assistant_id}, {note})")
        assert item.manifest is not None
        for _, problem in policy_violations(item.manifest, config.policy):
            click.echo(
                f"assistctl: warning: {out / item.filename}: {problem}; 'assistctl plan' "
                "refuses the manifest until it is fixed.",
                err=True,
            )
    if not opts.g.quiet:
        for done in result.updated:
            run.say(_updated_line(done))
    for note in result.notes:
        click.echo(f"note: {note}.", err=True)


def _updated_line(done: Updated) -> str:
    who = f"({done.assistant_id}, {_NOTE[done.status]})"
    if done.unchanged:
        return f"up to date: {done.file}  '{done.key}' {who}"
    prompt = f" (and its instructions file {done.prompt_file})" if done.prompt_file else ""
    return f"updated {done.file}{prompt}  '{done.key}' {who}: {', '.join(done.fields)}"


def _summary(run: JsonRun, project: str, shown: str, result: ExportResult) -> None:
    items: list[Exported | Updated] = [*result.exported, *result.updated]
    managed = sum(1 for e in items if e.status == "managed")
    others = [e for e in items if e.status != "managed"]
    changed = sum(1 for u in result.updated if not u.unchanged)
    run.say(
        f"Exported {len(items)} assistant(s) of {describe_scope(project)} to {shown}: "
        f"{len(result.exported)} new file(s), {changed} updated in place, "
        f"{len(result.updated) - changed} up to date ({managed} managed, {len(others)} not "
        "yet adopted)."
    )
    if others:
        run.say("Adopt the others before 'assistctl apply', or apply creates copies of them:")
        for item in others:
            run.say(f"  {_adopt_command(item.key, item.assistant_id, item.status, shown)}")
    run.say(f"Run 'assistctl plan {shown}': it shows no changes for the adopted assistants.")


def _adopt_command(key: str, assistant_id: str, status: str, shown: str) -> str:
    force = " --force" if status == "other_project" else ""
    return f"assistctl import {key}={assistant_id} {shown}{force}"


def _json_body(
    project: str,
    shown: str,
    out: Path,
    result: ExportResult,
    project_file: Path | None = None,
) -> dict[str, Any]:
    """``export``'s own fields of its JSON document: each assistant's manifest (written,
    updated in place or up to date; ``project_file``: the ``assistctl.yaml`` it wrote, if
    any), what it could not export, and its notes."""
    return {
        "project": split_scope(project)[0],
        "environment": split_scope(project)[1],
        "out": shown,
        "project_file": str(project_file) if project_file is not None else None,
        "exported": [
            *(_json_new(item, out, shown) for item in result.exported),
            *(_json_updated(item, shown) for item in result.updated),
        ],
        "skipped": [
            {"id": s.assistant_id, "name": s.name, "reason": s.reason} for s in result.skipped
        ],
        "notes": list(result.notes),
    }


def _json_new(item: Exported, out: Path, shown: str) -> dict[str, Any]:
    return {
        "key": item.key,
        "id": item.assistant_id,
        "name": item.name,
        "status": item.status,
        "action": "created",
        "fields": None,
        "file": str(out / item.filename),
        "prompt_file": str(out / item.prompt_filename) if item.prompt_filename else None,
        "adopt": None
        if item.status == "managed"
        else _adopt_command(item.key, item.assistant_id, item.status, shown),
    }


def _json_updated(item: Updated, shown: str) -> dict[str, Any]:
    return {
        "key": item.key,
        "id": item.assistant_id,
        "name": item.name,
        "status": item.status,
        "action": "unchanged" if item.unchanged else "updated",
        "fields": list(item.fields),
        "file": item.file,
        "prompt_file": item.prompt_file,
        "adopt": None
        if item.status == "managed"
        else _adopt_command(item.key, item.assistant_id, item.status, shown),
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
    """Write exactly ``text`` (no newline translation): a temporary file renamed over ``path``.

    The temporary file gets a name nobody chose in advance, created exclusively (a link
    planted in ``--out`` under a guessable name cannot redirect the write); a file updated in
    place keeps its permissions."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = _mode_of(path)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as err:
        raise UsageError(f"Cannot write {path}: {err.strerror or err}.") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except OSError as err:
        Path(tmp).unlink(missing_ok=True)
        raise UsageError(f"Cannot write {path}: {err.strerror or err}.") from None


def _mode_of(path: Path) -> int:
    """The permissions of the regular file at ``path``, else what ``open(path, "w")`` would
    give a new file (0o666 less the umask)."""
    try:
        st = os.lstat(path)
    except FileNotFoundError:
        st = None
    if st is not None and stat.S_ISREG(st.st_mode):
        return stat.S_IMODE(st.st_mode)
    umask = os.umask(0o022)
    os.umask(umask)
    return 0o666 & ~umask
