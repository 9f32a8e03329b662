"""One exception family for everything a user can cause or the API can answer.

Every error the tool raises on purpose derives from :class:`AssistctlError`; the single
top-level handler in :mod:`assistctl.cli.error_handler` turns it into one sentence on stderr and
an exit code. Anything else reaching that handler is a bug and is reported as one.
"""

from __future__ import annotations

from dataclasses import dataclass


class AssistctlError(Exception):
    """Root of every expected failure. ``str(err)`` is the one sentence shown to the user."""

    exit_code = 1


class UsageError(AssistctlError):
    """A bad flag, argument, path or environment setting."""


class ConfigError(AssistctlError):
    """The project file or provider settings are unusable."""


@dataclass(frozen=True, order=True)
class Diagnostic:
    """One problem in one input file, with the position of the offending YAML node.

    ``line`` and ``col`` are 1-based; 0 means "the file as a whole".
    ``path`` is the dotted field path inside the document (``tools.2.function.name``).
    """

    file: str
    line: int
    col: int
    path: str
    message: str
    severity: str = "error"

    def format(self) -> str:
        where = self.file if self.line == 0 else f"{self.file}:{self.line}:{self.col}"
        field = f" {self.path}:" if self.path else ""
        return f"{where}:{field} {self.message}"


class ManifestError(AssistctlError):
    """One or more manifests or project files are invalid; carries every diagnostic."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        self.diagnostics = sorted(diagnostics)
        errors = [d for d in self.diagnostics if d.severity == "error"]
        super().__init__(
            f"{len(errors)} error(s) in the manifests (listed above); nothing was changed."
        )


class ApiError(AssistctlError):
    """The API answered with an error status. ``message`` is the API's own words."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        code: str | None = None,
        param: str | None = None,
        url: str | None = None,
        hint: str | None = None,
    ) -> None:
        self.status = status
        self.code = code
        self.param = param
        self.url = url
        self.hint = hint
        self.api_message = message
        text = message
        if status is not None:
            text = f"API error {status}: {message}"
        if hint:
            text = f"{text} {hint}"
        super().__init__(text)


class AuthError(ApiError):
    """401/403: the key is missing, wrong, or lacks access."""


class NotFoundError(ApiError):
    """404 on a path or an object."""


class ConnectionFailed(AssistctlError):
    """The host could not be reached or dropped the connection (after retries)."""


class OutcomeUnknown(AssistctlError):
    """A write was sent but its answer was lost: it may or may not have been committed."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after
        """Seconds the host asked to wait (a 5xx with ``retry-after``), if it said."""


class PlanError(AssistctlError):
    """The plan cannot be carried out as is (prevent_destroy, label conflicts, ...)."""


class StalePlanError(AssistctlError):
    """A saved plan no longer matches live state, or was edited, or targets another project."""


class ApplyFailed(AssistctlError):
    """Some changes of an apply failed; the report has already been printed."""


class Stopped(AssistctlError):
    """A request was not sent, or its answer not waited for, because the command is ending.

    ``landed``: an attempt of that request may have reached the server before the stop (a
    write whose outcome is then unknown), as opposed to nothing having been sent.
    """

    def __init__(self, message: str, *, landed: bool = False) -> None:
        super().__init__(message)
        self.landed = landed


class Interrupted(Stopped):
    """Ctrl-C: no new request is sent once it is pressed."""

    exit_code = 130


class DeadlineExceeded(Stopped):
    """The command's overall deadline (``--deadline``) passed while waiting for the host."""


class TooMuchChange(PlanError):
    """The plan deletes more of the managed assistants than the mass-delete guard allows;
    ``--allow-mass-delete`` is the second word that lets it through."""
