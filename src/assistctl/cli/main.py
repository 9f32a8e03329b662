"""Command line: click commands only. Parse flags into option objects, call, return the code.

Each command imports its implementation lazily, so ``assistctl validate`` (the pre-commit
path) never pays for httpx, deepdiff or ruamel.yaml.
"""

# perf: lazy command imports, here and in cli/commands/; benchmarks/startup.py and
# validate.py (see benchmarks/README.md, start-up); a test in tests/cli/test_validate_cli.py
# keeps validate free of httpx, deepdiff and ruamel.yaml.

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from assistctl import __version__
from assistctl.cli import choices, error_handler, globalopts, interrupt, process
from assistctl.options import GlobalOptions

_path_args = click.argument("paths", nargs=-1, required=True, type=click.Path())
_allow_mass_delete = click.option(
    "--allow-mass-delete",
    is_flag=True,
    help="Allow a plan that deletes more than 30% of at least 10 managed assistants "
    "(the project policy may lower those limits).",
)

FC = TypeVar("FC", bound=Callable[..., Any])


def _format_option(names: tuple[str, ...]) -> Callable[[FC], FC]:
    """``--format`` (stored as ``fmt``) among a registry's names, defaulting to ``text``."""
    return click.option(
        "--format", "fmt", type=click.Choice(names), default="text", show_default=True
    )


def _globals(ctx: click.Context) -> GlobalOptions:
    obj = ctx.obj
    assert isinstance(obj, GlobalOptions)
    return obj


@click.group(
    cls=globalopts.Group,
    context_settings={"help_option_names": ["-h", "--help"]},
    examples=(
        "assistctl validate examples/assistants",
        "assistctl plan examples/assistants --provider local",
        "assistctl apply examples/assistants --provider local --auto-approve",
    ),
)
@click.version_option(__version__, "--version", prog_name="assistctl")
@click.pass_context
def cli(ctx: click.Context, /, **kwargs: Any) -> None:
    """Keep OpenAI-compatible Assistants as code: validate, plan, apply, drift."""
    ctx.obj = GlobalOptions(**kwargs)
    globalopts.activate(ctx.obj)
    if ctx.invoked_subcommand is None:
        # Bare `assistctl`: the help is the answer, not a usage error.
        click.echo(ctx.get_help())


@cli.command(
    examples=(
        "assistctl validate examples/assistants",
        "assistctl validate assistants/ --format github -q",
        "assistctl validate assistants/ prompts/ --format json",
    )
)
@_path_args
@_format_option(choices.VALIDATE_FORMATS)
@click.pass_context
def validate(ctx: click.Context, paths: tuple[str, ...], fmt: str) -> int:
    """Check manifests offline. Exit 0 valid, 1 invalid.

    A PATH that is a file but not YAML (prompts/tutor.md) is an instructions file: the
    manifests of its project that use it are checked (what the pre-commit hook relies on).
    """
    from assistctl.cli.commands import validate as cmd

    return cmd.execute(cmd.ValidateOptions(g=_globals(ctx), paths=paths, fmt=fmt))


@cli.command(
    examples=(
        "assistctl plan examples/assistants --provider local",
        "assistctl plan assistants/ --format markdown --detailed-exitcode > plan.md",
        "assistctl plan assistants/ --out tfplan.json   # then: assistctl apply tfplan.json",
    )
)
@_path_args
@_format_option(choices.PLAN_FORMATS)
@click.option(
    "--out",
    type=click.Path(dir_okay=False),
    help="Save the plan to FILE for 'assistctl apply FILE'.",
)
@click.option(
    "-d",
    "--detailed-exitcode",
    is_flag=True,
    help="Exit 0 when there is nothing to do, 2 when there are changes, 1 on error.",
)
@_allow_mass_delete
@click.pass_context
def plan(
    ctx: click.Context,
    paths: tuple[str, ...],
    fmt: str,
    out: str | None,
    detailed_exitcode: bool,
    allow_mass_delete: bool,
) -> int:
    """Show what apply would create, update and delete.

    Paths inside a project (a directory with assistctl.yaml) select manifests: the whole
    project is still read, and nothing outside the selection is changed or deleted.
    """
    from assistctl.cli.commands import plan as cmd

    return cmd.execute(
        cmd.PlanOptions(
            g=_globals(ctx),
            paths=paths,
            fmt=fmt,
            out=out,
            detailed_exitcode=detailed_exitcode,
            allow_mass_delete=allow_mass_delete,
        )
    )


@cli.command(
    examples=(
        "assistctl drift assistants/",
        "assistctl drift assistants/ --format json --out drift.json",
        "assistctl drift assistants/ --format markdown -q",
    )
)
@_path_args
@_format_option(choices.PLAN_FORMATS)
@click.option("--out", type=click.Path(dir_okay=False), help="Write the report to FILE.")
@click.pass_context
def drift(ctx: click.Context, paths: tuple[str, ...], fmt: str, out: str | None) -> int:
    """Report live assistants that differ from the manifests. Exit 0 in sync, 2 drift."""
    from assistctl.cli.commands import drift as cmd

    return cmd.execute(cmd.DriftOptions(g=_globals(ctx), paths=paths, fmt=fmt, out=out))


@cli.command(
    examples=(
        "assistctl apply examples/assistants --provider local",
        "assistctl apply assistants/ --auto-approve --format json > applied.json",
        "assistctl apply tfplan.json   # a plan saved by 'assistctl plan --out tfplan.json'",
    )
)
@click.argument("paths", nargs=-1, required=True, type=click.Path())
@click.option("--auto-approve", is_flag=True, help="Apply without asking for 'yes'.")
@click.option(
    "--parallelism",
    type=click.IntRange(1, 64),
    default=4,
    show_default=True,
    help="Most API calls in flight at once (lowered automatically on rate limits).",
)
@_allow_mass_delete
@_format_option(choices.RESULT_FORMATS)
@click.pass_context
def apply(
    ctx: click.Context,
    paths: tuple[str, ...],
    auto_approve: bool,
    parallelism: int,
    allow_mass_delete: bool,
    fmt: str,
) -> int:
    """Make live assistants match the manifests (PATH...) or a saved plan (PLANFILE)."""
    from assistctl.cli.commands import apply as cmd

    return cmd.execute(
        cmd.ApplyOptions(
            g=_globals(ctx),
            paths=paths,
            auto_approve=auto_approve,
            parallelism=parallelism,
            allow_mass_delete=allow_mass_delete,
            fmt=fmt,
        )
    )


@cli.command(
    "import",
    examples=(
        "assistctl import math-tutor=asst_abc123 support=asst_def456 assistants/",
        "assistctl import --from pairs.txt assistants/ --auto-approve --format json",
        "assistctl import math-tutor=asst_abc123 assistants/ --force --project support",
    ),
)
@click.argument("args", metavar="KEY=ID... PATH...", nargs=-1, required=True)
@click.option(
    "--from",
    "pairs_file",
    type=click.Path(dir_okay=False),
    help="Read KEY=ID pairs from FILE, one a line (# comments and blank lines allowed).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Take an assistant even if it carries another project's (or another key's) label.",
)
@click.option("--auto-approve", is_flag=True, help="Write the labels without asking for 'yes'.")
@_format_option(choices.RESULT_FORMATS)
@click.pass_context
def import_(
    ctx: click.Context,
    args: tuple[str, ...],
    pairs_file: str | None,
    force: bool,
    auto_approve: bool,
    fmt: str,
) -> int:
    """Adopt live assistants (ID) under the manifest KEYs found in PATH...

    Shows the plan of label writes (and what 'assistctl plan' would then do for each key) and
    asks for 'yes', like apply. Only the ownership label is written. The 0.1.0 form
    'import KEY ID PATH...' still works.
    """
    from assistctl.cli.commands import import_ as cmd

    return cmd.execute(
        cmd.ImportOptions(
            g=_globals(ctx),
            args=args,
            pairs_file=pairs_file,
            force=force,
            auto_approve=auto_approve,
            fmt=fmt,
        )
    )


@cli.command(
    examples=(
        "assistctl export --out assistants",
        "assistctl export --all --out imported --format json",
        "assistctl export --out assistants --project support",
    )
)
@click.option(
    "--out",
    type=click.Path(file_okay=False),
    help="Directory to write KEY.yaml files into (default ./assistants).",
)
@click.option(
    "--all",
    "include_all",
    is_flag=True,
    help="Also export unmanaged assistants and other projects' ones (adopt them with import).",
)
@click.option(
    "--force",
    is_flag=True,
    help="Overwrite files in the way of new manifests that are not manifests of this project "
    "(existing manifests are updated in place, never replaced).",
)
@_format_option(choices.RESULT_FORMATS)
@click.pass_context
def export(ctx: click.Context, out: str | None, include_all: bool, force: bool, fmt: str) -> int:
    """Write or update a manifest for each live assistant of this project (every one with --all).

    Existing manifests are updated in place (comments, key order, lifecycle and
    instructions_file kept); new files are written only for assistants without one, and only
    inside --out.
    """
    from assistctl.cli.commands import export as cmd

    return cmd.execute(
        cmd.ExportOptions(g=_globals(ctx), out=out, include_all=include_all, force=force, fmt=fmt)
    )


@cli.command(
    examples=(
        "assistctl output assistants --env prod",
        "assistctl output assistants --env prod --format dotenv > .env",
        'assistctl output assistants --format env >> "$GITHUB_ENV"',
    )
)
@_path_args
@_format_option(choices.OUTPUT_FORMATS)
@click.pass_context
def output(ctx: click.Context, paths: tuple[str, ...], fmt: str) -> int:
    """Print each manifest key's live assistant id (env/dotenv: ASSISTANT_<KEY>_ID=...).

    Read-only. Exit 0 when every key has a live assistant, 2 when some are missing.
    """
    from assistctl.cli.commands import output as cmd

    return cmd.execute(cmd.OutputOptions(g=_globals(ctx), paths=paths, fmt=fmt))


@cli.command(examples=("assistctl providers", "assistctl providers --format json"))
@_format_option(choices.PROVIDERS_FORMATS)
@click.pass_context
def providers(ctx: click.Context, fmt: str) -> int:
    """List the host presets (--provider): URL, auth, dialects and what each differs in."""
    from assistctl.cli.commands import providers as cmd

    return cmd.execute(cmd.ProvidersOptions(g=_globals(ctx), fmt=fmt))


@cli.command(
    examples=(
        "assistctl schema > schemas/assistant.schema.json",
        "assistctl schema | diff - schemas/assistant.schema.json",
    )
)
def schema() -> int:
    """Print the manifest JSON Schema."""
    from assistctl.cli.commands import schema as cmd

    return cmd.execute()


@cli.command(
    examples=(
        "assistctl emulator",
        "assistctl emulator --port 0 --state .assistctl/emulator.json",
        "assistctl emulator --flavor aimlapi --rate-limit-fraction 0.2 --seed 1",
    )
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    type=click.IntRange(0, 65535),
    default=8765,
    show_default=True,
    help="Port to listen on (0 picks a free one).",
)
@click.option(
    "--state",
    type=click.Path(dir_okay=False),
    help="JSON state file, written after every change and reloaded at start (default: memory).",
)
@click.option(
    "--flavor",
    type=click.Choice(choices.EMULATOR_FLAVORS),
    default="openai",
    show_default=True,
    help="Which host to imitate: openai (/v1, assistants=v2), openai-v1 (assistants=v1 "
    "shapes), aimlapi (no /v1, flat errors) or azure (/openai, api-key, api-version).",
)
@click.option(
    "--latency", "latency_ms", type=click.IntRange(0), default=0, help="Delay every request (ms)."
)
@click.option(
    "--rate-limit-fraction",
    type=click.FloatRange(0, 1),
    default=0.0,
    help="Fraction of requests answered 429 with retry-after.",
)
@click.option(
    "--requests-per-second",
    type=click.FloatRange(0, max_open=True, max=1e6),
    default=0.0,
    help="A real rate limit: requests beyond this rate are answered 429 (0: none).",
)
@click.option(
    "--error-fraction", type=click.FloatRange(0, 1), default=0.0, help="Fraction answered 500/503."
)
@click.option(
    "--lost-creates",
    type=click.IntRange(0),
    default=0,
    help="The next N creates commit but their response is lost (connection closed).",
)
@click.option("--seed", type=int, help="Seed for the random faults (reproducible runs).")
@click.option("--tie-created-at", is_flag=True, help="New assistants get the newest created_at.")
@click.option("--ignore-order", is_flag=True, help="List oldest first whatever 'order' asks.")
@click.option("--desc-ties-in-creation-order", is_flag=True, help="order=desc: ties not reversed.")
@click.pass_context
def emulator(ctx: click.Context, /, **kwargs: Any) -> int:
    """Serve the local Assistants API emulator until Ctrl-C. Prints the base URL first."""
    from assistctl.cli.commands import emulator as cmd

    return cmd.execute(cmd.EmulatorOptions(g=_globals(ctx), **kwargs))


def main() -> None:
    """The console script: one command inside the process-level performance layer."""
    process.start()
    interrupt.install()
    error_handler.run_and_exit(lambda: cli.main(standalone_mode=False, prog_name="assistctl"))
