"""`vsh sync`: keep the guidance set of the sources manifest current from GOV.UK."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from settings import get_settings
from sync.errors import SyncError
from sync.run import ProgressFn, SyncReport, sync_sources

__all__ = ["print_sync_report", "sync"]

console = Console()
errors = Console(stderr=True)
EXIT_FAILED = 1
EXIT_USAGE = 2


@contextmanager
def _progress(enabled: bool) -> Iterator[ProgressFn | None]:
    """A rich progress bar over the manifest entries (nothing when disabled)."""
    if not enabled:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    with Progress(
        SpinnerColumn(),
        TextColumn("[bold]GOV.UK[/] {task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        task = progress.add_task("checking", total=None)

        def update(label: str, done: int, total: int) -> None:
            progress.update(task, completed=done, total=total, description=label[:50] or "done")

        yield update


def print_sync_report(report: SyncReport) -> None:
    """One row per manifest entry, then totals, notes and errors."""
    verb = "would be " if report.dry_run else ""
    table = Table(title="Sync dry run: nothing fetched or written" if report.dry_run else "Sync report")
    for column in ("document", "action", "title", "fetched", "notes"):
        table.add_column(column, overflow="fold")
    for entry in report.entries:
        action = entry.action if entry.action in ("unchanged", "failed") else verb + entry.action
        notes = [*entry.notes, *(f"{v.updated:%-d %b %Y}: {v.note}" for v in entry.new_notes)]
        table.add_row(entry.doc_id, action, entry.title, "; ".join(entry.fetched), "; ".join(notes))
    console.print(table)
    counts = ", ".join(
        f"{report.count(action)} {action}"
        for action in ("added", "updated", "withdrawn", "unchanged", "failed")
        if report.count(action)
    )
    console.print(
        f"{len(report.entries)} sources: {counts or 'none'}; {report.requests} requests in {report.seconds:.1f} s"
    )
    if report.ingest is not None:
        console.print(
            f"ingest: embedded {report.ingest.embedded_passages} passages, reused {report.ingest.reused_passages}"
        )
    if report.index_version:
        console.print(f"index version {report.index_version}")
    for note in report.notes:
        console.print(f"note: {note}", markup=False, highlight=False)
    for entry in report.entries:
        if entry.error:
            errors.print(f"error: {entry.doc_id}: {entry.error}", markup=False, highlight=False)
    if report.ingest is not None:
        for failure in report.ingest.failed:
            errors.print(f"error: {failure.error}", markup=False, highlight=False)


def sync(
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check GOV.UK and list what would change.")] = False,
    manifest: Annotated[
        Path | None, typer.Option("--manifest", help="Sources manifest (default: VSH_SOURCES_MANIFEST or sync/).")
    ] = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Fetch what changed on GOV.UK for each manifest entry, ingest it and record its version.

    Exit code 1 when an entry failed (the index keeps what it held), 2 for a bad manifest."""
    settings = get_settings()
    if manifest is not None:
        settings = settings.model_copy(update={"sources_manifest": manifest})
    try:
        with _progress(not quiet and not as_json) as on_progress:
            report = sync_sources(settings, dry_run=dry_run, on_progress=on_progress)
    except SyncError as exc:
        errors.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=EXIT_USAGE) from exc
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        print_sync_report(report)
    if not report.ok:
        raise typer.Exit(code=EXIT_FAILED)
