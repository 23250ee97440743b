"""The ``trafficscan evidence`` commands: verify the store, export a case bundle."""

from __future__ import annotations

from pathlib import Path

from trafficscan.core.errors import EXIT_INTEGRITY, EXIT_OK, InputError, Problem


def _state_path(state: Path | None) -> Path:
    from trafficscan.state import state_path

    return state_path(state).expanduser().absolute()  # the default is absolute already


def verify_command(paths: list[Path], state: Path | None, *, quiet: bool = False) -> int:
    """Exit 0 when every digest holds, 5 (naming file and record) when any does not."""
    from rich.console import Console
    from rich.markup import escape

    from trafficscan.evidence.store import evidence_root
    from trafficscan.evidence.verify import check_index, verify

    for p in paths:
        if not p.exists():
            raise InputError(
                Problem(
                    file=str(p),
                    message="not found",
                    hint="give WARC files or folders of the evidence store",
                )
            )
    state_path = _state_path(state)
    targets = paths or [evidence_root(state_path)]
    if not paths and not targets[0].exists():
        targets = []  # nothing stored yet; the index check below still runs
    result = verify(targets)
    if (state is not None or not paths) and state_path.exists():
        check_index(state_path, result, whole_store=not paths)
    out = Console(highlight=False, soft_wrap=True)
    err = Console(stderr=True, highlight=False, soft_wrap=True)
    mb = result.bytes / 1e6
    rate = (
        f"{result.records / result.seconds:,.0f} records/s, {mb / result.seconds:,.1f} MB/s"
        if result.seconds > 0
        else ""
    )
    if result.failures:
        err.print(
            f"[bold red]evidence verification FAILED[/]: {len(result.failures)} "
            f"problem{'s' * (len(result.failures) != 1)} in {result.files} "
            f"file{'s' * (result.files != 1)}, {result.records} records"
        )
        for failure in result.failures:
            err.print(f"  • {escape(str(failure))}")
        return EXIT_INTEGRITY
    for note in result.incomplete:  # said even with --quiet: the analyst should know
        err.print(f"note: {escape(str(note))}")
    if not quiet and not targets:
        out.print(f"no evidence stored yet beside {escape(str(state_path))}")
    elif not quiet:
        where = ", ".join(str(t) for t in targets)
        out.print(
            f"evidence verified: {result.records} records in {result.files} "
            f"file{'s' * (result.files != 1)} ({mb:,.1f} MB) under {escape(where)}: "
            f"every digest holds{f' ({rate})' if rate else ''}"
        )
    return EXIT_OK


def export_command(
    ids: list[str],
    flagged: Path | None,
    state: Path | None,
    output: Path,
    *,
    force: bool = False,
    quiet: bool = False,
) -> int:
    """Write a case bundle for the chosen ads; every record is verified as it is copied."""
    from rich.console import Console
    from rich.markup import escape

    from trafficscan.evidence.export import export_bundle, resolve
    from trafficscan.evidence.index import mark_exported
    from trafficscan.state import StateDB

    state_path = _state_path(state)
    if not state_path.is_file():
        raise InputError(
            Problem(
                file=str(state_path),
                message="no state database here",
                hint="pass the --state the scan used",
            )
        )
    with StateDB.open(state_path) as db:
        chosen = resolve(db, ids, flagged)
        manifest = export_bundle(db, chosen, output, force=force)
        mark_exported(
            db, [c.record.record_id for c in chosen], str(output.absolute()), manifest["created_at"]
        )
    if not quiet:
        Console(highlight=False, soft_wrap=True).print(
            f"Wrote case bundle {escape(str(output))} (mode 0600): {len(chosen)} "
            f"record{'s' * (len(chosen) != 1)}, every digest verified; archive SHA-256 "
            f"{manifest['warc']['sha256']}"
        )
    return EXIT_OK
