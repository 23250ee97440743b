"""Where outputs and logs go: decided, and checked, before anything is crawled or scored.

An unattended run must not crash on a missing ``out/`` folder after an hour of crawling, nor
quietly replace yesterday's evidence; and ``-o flagged.csv`` must write CSV, not JSON in a file
named ``.csv``. Every problem here is an :class:`InputError` (exit 2, one line, nothing written).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from trafficscan.core.errors import InputError, Problem
from trafficscan.output.writers import FORMATS, default_output_name


@dataclass(frozen=True, slots=True)
class OutputPlan:
    """The output decided from ``-o``, ``--format`` and ``--force``."""

    target: str  # a path, or "-" for standard output
    format: str
    bom: bool  # CSV files start with a UTF-8 BOM so Excel reads Devanagari and ₹


def format_for(output: str | None, fmt: str | None) -> str:
    """``--format`` when given, else the ``-o`` file's extension (json, jsonl, csv), else json."""
    if fmt is not None:
        return fmt
    if output and output != "-":
        ext = Path(output).suffix.lower().lstrip(".")
        if ext in FORMATS:
            return ext
    return "json"


def plan_output(
    output: str | None, fmt: str | None, *, force: bool = False, now: datetime | None = None
) -> OutputPlan:
    """Resolve and prepare the output path: create missing folders, refuse to replace an
    existing file without ``force``. A default (timestamped) name never collides: a second
    run within the same second gets ``-2``, ``-3``, ...
    """
    chosen = format_for(output, fmt)
    if output == "-":
        return OutputPlan("-", chosen, bom=False)
    if output is None:
        base = default_output_name(chosen, now)
        target = Path(base)
        n = 2
        while target.exists():
            target = Path(f"{Path(base).stem}-{n}.{chosen}")
            n += 1
    else:
        target = Path(output)
        if target.is_dir():
            raise InputError(
                Problem(
                    file=output,
                    message="is a folder, not an output file",
                    hint="name a file inside it, e.g. -o out/flagged.json",
                )
            )
        if target.exists() and not force:
            raise InputError(
                Problem(
                    file=output,
                    message="already exists; nothing was replaced",
                    hint="pass --force to replace it, or choose another -o",
                )
            )
    make_parent(target, what="output")
    return OutputPlan(str(target), chosen, bom=chosen == "csv")


def make_parent(path: Path, *, what: str) -> None:
    """Create ``path``'s missing parent folders (private: outputs and logs hold contacts)."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(
            Problem(
                file=str(path),
                message=f"cannot create the {what} folder {path.parent}: {exc.strerror or exc}",
            )
        ) from None
    if not path.parent.is_dir():
        raise InputError(Problem(file=str(path), message=f"{path.parent} is not a folder"))


__all__ = ["OutputPlan", "format_for", "make_parent", "plan_output"]
