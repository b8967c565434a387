"""The one error family. The CLI maps each class to an exit code (see README, "Exit codes")."""

from __future__ import annotations


class BriefingError(Exception):
    """Base of every error this package raises on purpose."""

    exit_code = 1


class UsageError(BriefingError):
    """The command line or configuration asks for something impossible."""

    exit_code = 2


class ConfigError(UsageError):
    """A configuration file or environment variable is invalid."""


class InputError(BriefingError):
    """One input (file, URL, feed) could not be read or parsed. Recorded in `skipped`."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(f"{source}: {reason}")
        self.source = source
        self.reason = reason


class NothingToBrief(BriefingError):
    """No entries fall in the requested window (or no input could be read)."""

    exit_code = 5


class LLMError(BriefingError):
    """The LLM backend failed after its retries, or answered with nothing usable."""


class RenderError(BriefingError):
    """A template or prompt could not be rendered."""


class DeliveryError(BriefingError):
    """Email, archive or state could not be written."""


# Exit codes for outcomes that are not exceptions: a briefing was produced, but not whole.
EXIT_PARTIAL = 3  # some inputs were skipped; the rest were briefed
EXIT_DEGRADED = 4  # the LLM was asked for but the extractive fallback wrote the briefing
EXIT_INTERRUPTED = 130  # Ctrl-C (SIGINT): stopped; what was finished is kept
EXIT_TERMINATED = 143  # SIGTERM: stopped the same way
