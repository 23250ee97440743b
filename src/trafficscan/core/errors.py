"""Errors a user can fix, with their exit codes.

Every problem with something the user gave us (a config, a rule pack, an input file, a model)
is an :class:`InputError` carrying one or more :class:`Problem` rows, each naming the file, the
line or key, what is wrong and what to do. The CLI prints them all and exits with status 2.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_INPUT = 2
EXIT_PARTIAL = 3
EXIT_LOCKED = 4
EXIT_INTEGRITY = 5


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with a user-supplied file."""

    file: str
    message: str
    line: int | None = None
    key: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        where = self.file
        if self.line is not None:
            where += f":{self.line}"
        text = f"{where}: "
        if self.key:
            text += f"{self.key}: "
        text += self.message
        if self.hint:
            text += f" ({self.hint})"
        return text


class TrafficscanError(Exception):
    """Base class for errors the CLI turns into a clean message and an exit status."""

    exit_code = EXIT_UNEXPECTED


class InputError(TrafficscanError):
    """A config, rule file, model or input file is invalid. Exit status 2, nothing written."""

    exit_code = EXIT_INPUT

    def __init__(self, problems: Iterable[Problem] | Problem | str, *, file: str = "") -> None:
        if isinstance(problems, str):
            problems = [Problem(file=file or "<input>", message=problems)]
        elif isinstance(problems, Problem):
            problems = [problems]
        self.problems: list[Problem] = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class LockedError(TrafficscanError):
    """Another scan holds the state database."""

    exit_code = EXIT_LOCKED


class IntegrityError(TrafficscanError):
    """An integrity check failed: a signature or digest does not hold. Exit status 5."""

    exit_code = EXIT_INTEGRITY
