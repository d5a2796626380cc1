"""`vsh ingest`, `vsh search`, `vsh docs` and `vsh index adapt`."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer
from rich import box
from rich.console import Console
from rich.markup import escape
from rich.table import Table

from index.adapt import PAIR_KINDS, AdaptConfig, adapt_index
from index.build import IngestReport, ingest_paths
from index.errors import IndexUnavailable
from index.models import SearchFilters, SearchHit
from index.search import GuidanceIndex
from settings import VshError, get_settings

__all__ = ["adapt", "docs", "index_app", "ingest", "print_ingest_report", "search"]

console = Console()
errors = Console(stderr=True)
EXIT_INDEX_UNAVAILABLE = 2


ID_WIDTH = 32
"""Document ids up to this long are never split (the official ones are shorter); longer ones fold."""


def _id_width(ids: list[str]) -> int:
    return min(ID_WIDTH, max([len(i) for i in ids] + [8]))


def _id_column(table: Table, ids: list[str]) -> None:
    """The document id column: wide enough that an id is never split mid-word (up to `ID_WIDTH`)."""
    table.add_column("document", min_width=_id_width(ids), overflow="fold")


def print_ingest_report(report: IngestReport) -> None:
    """The per-document table (it fits 80 columns), one line per warning and one per failed file."""
    table = Table(title="Ingest report", box=box.SIMPLE_HEAD, pad_edge=False)
    _id_column(table, [doc.doc_id for doc in report.documents])
    table.add_column("action", no_wrap=True)
    table.add_column("status", no_wrap=True)
    for column in ("pages", "passages"):
        table.add_column(column, justify="right", no_wrap=True)
    for doc in report.documents:
        table.add_row(doc.doc_id, doc.action, doc.status, str(doc.pages or ""), str(doc.passages))
    console.print(table)
    console.print(
        f"embedded {report.embedded_passages} passages and {report.embedded_units} sentences, reused "
        f"{report.reused_passages} and {report.reused_units}, removed {len(report.removed)}, in {report.seconds:.1f} s"
        + (f"; {report.embedded_second} passages embedded by the second view" if report.embedded_second else "")
    )
    for doc in report.documents:
        for warning in doc.warnings:
            console.print(f"warning: {doc.doc_id}: {warning}", markup=False, highlight=False)
    for note in report.notes:
        console.print(f"note: {note}")
    for failure in report.failed:
        errors.print(f"[red]error[/red] {escape(failure.error)}", markup=True, highlight=False)


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or folders: PDF, HTML, markdown or text.")],
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar.")] = False,
) -> None:
    """Parse guidance files and add them to the index; exit code 1 if any file failed."""
    settings = get_settings()
    try:
        report = ingest_paths(paths, settings, progress=not quiet)
    except (OSError, VshError) as exc:  # the data directory cannot be written: the live index is untouched
        cause = exc.__cause__ if isinstance(exc.__cause__, OSError) else exc
        errors.print(f"error: could not write the index in {settings.data_dir}: {cause}", markup=False)
        raise typer.Exit(code=1) from exc
    print_ingest_report(report)
    if report.failed:
        raise typer.Exit(code=1)


def _open_index() -> GuidanceIndex:
    try:
        return GuidanceIndex.open(get_settings())
    except IndexUnavailable as exc:
        errors.print(f"error: {exc}", markup=False, highlight=False)
        raise typer.Exit(code=EXIT_INDEX_UNAVAILABLE) from exc


def hit_json(hit: SearchHit) -> dict[str, object]:
    """The documented `vsh search --json` shape of one hit."""
    return {
        "doc_id": hit.doc.doc_id,
        "title": hit.doc.citation_name,
        "status": hit.doc.status,
        "section": hit.passage.section,
        "paragraphs": hit.passage.paragraphs,
        "pages": hit.passage.pages,
        "text": hit.passage.text,
        "score": hit.score,
        "passage_id": hit.passage.passage_id,
    }


def search(
    query: Annotated[str, typer.Argument(help="What to look for.")],
    k: Annotated[int, typer.Option("--k", min=1, max=100, help="How many passages.")] = 5,
    as_json: Annotated[bool, typer.Option("--json", help="Print a JSON list of hits.")] = False,
    doc: Annotated[list[str] | None, typer.Option("--doc", help="Only this document id (repeatable).")] = None,
    status: Annotated[list[str] | None, typer.Option("--status", help="Only this status (repeatable).")] = None,
) -> None:
    """Search the index and print passages with their locators and scores."""
    if not query.strip():
        errors.print("error: the query is empty")
        raise typer.Exit(code=1)
    index = _open_index()
    filters = SearchFilters(doc_ids=doc or None, statuses=status or None)
    hits = index.search(query, k=k, filters=filters)
    if as_json:
        typer.echo(json.dumps([hit_json(hit) for hit in hits], indent=2, ensure_ascii=False))
        return
    if not hits:
        console.print("No passages found.")
    for hit in hits:
        locator = [hit.doc.citation_name, hit.passage.section]
        if hit.passage.paragraphs:
            locator.append("paras " + ", ".join(hit.passage.paragraphs))
        if hit.passage.pages:
            locator.append("p." + ", ".join(map(str, hit.passage.pages)))
        where = escape(" | ".join(locator))  # titles and headings are the documents' text, not markup
        console.print(f"[bold]{hit.rank}. {where}[/bold]  ({hit.doc.status}, score {hit.score:.4f})")
        console.print(hit.passage.text, markup=False, highlight=False)
        console.print()


def docs(as_json: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False) -> None:
    """List the indexed documents."""
    index = _open_index()
    documents = index.documents()
    if as_json:
        rows = [doc.model_dump(mode="json") | {"passages": len(index.passages(doc.doc_id))} for doc in documents]
        typer.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    table = Table(title=f"{len(documents)} documents (index {index.version})", box=box.SIMPLE_HEAD, pad_edge=False)
    table.add_column("document (id)", min_width=_id_width([doc.doc_id for doc in documents]), overflow="fold")
    table.add_column("status", no_wrap=True)
    table.add_column("version", min_width=12, max_width=max(16, console.width - 62))  # 18 at 80 columns
    table.add_column("passages", justify="right", no_wrap=True)
    for doc in documents:
        version = doc.published_label + (f" ({len(doc.versions)} versions)" if len(doc.versions) > 1 else "")
        if doc.last_checked:
            version += f"\nchecked {doc.last_checked:%Y-%m-%d %H:%M} UTC"
        table.add_row(
            f"{escape(doc.citation_name)}\n[dim]{doc.doc_id}[/dim]",
            doc.status + (" (withdrawn)" if doc.withdrawn else ""),
            version,
            str(len(index.passages(doc.doc_id))),
        )
    console.print(table)


index_app = typer.Typer(no_args_is_help=True)


@index_app.command()
def adapt(
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help=f"Pair kinds to train on (repeatable): {', '.join(PAIR_KINDS)}. Default: all."),
    ] = None,
    epochs: Annotated[int, typer.Option(min=1, max=10, help="Passes over the pairs.")] = 1,
    learning_rate: Annotated[float, typer.Option("--lr", min=1e-7, max=1e-3, help="Peak learning rate.")] = 2e-5,
    batch_size: Annotated[int, typer.Option(min=2, max=256, help="Pairs per batch (in-batch negatives).")] = 32,
    seed: Annotated[int, typer.Option(help="Random seed (shuffling, dropout).")] = 13,
    force: Annotated[bool, typer.Option("--force", help="Train again even if this model was built already.")] = False,
) -> None:
    """Fine-tune the embedding model on pairs mined from the indexed documents, save it in the data
    directory and re-embed the index with it. Ingest keeps using it only with VSH_USE_ADAPTED_MODEL=true."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TaskID, TextColumn, TimeElapsedColumn

    kinds = tuple(kind or PAIR_KINDS)
    unknown = [k for k in kinds if k not in PAIR_KINDS]
    if unknown:
        errors.print(f"error: unknown pair kind {', '.join(unknown)} (choose from {', '.join(PAIR_KINDS)})")
        raise typer.Exit(code=1)
    config = AdaptConfig(
        kinds=tuple(k for k in PAIR_KINDS if k in kinds),
        epochs=epochs,
        learning_rate=learning_rate,
        batch_size=batch_size,
        seed=seed,
    )
    labels = {"train": "Training", "embed": "Re-embedding passages"}
    with Progress(
        TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(), console=console
    ) as bar:
        tasks: dict[str, TaskID] = {}

        def report(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = bar.add_task(labels.get(stage, stage), total=total)
            bar.update(tasks[stage], completed=done, total=total)

        try:
            result = adapt_index(get_settings(), config, force=force, progress=report)
        except IndexUnavailable as exc:
            errors.print(f"error: {exc}", markup=False, highlight=False)
            raise typer.Exit(code=EXIT_INDEX_UNAVAILABLE) from exc
        except ValueError as exc:
            errors.print(f"error: {exc}", markup=False, highlight=False)
            raise typer.Exit(code=1) from exc
    pairs = ", ".join(f"{count} {name}" for name, count in result.pairs.items())
    trained = f"trained in {result.train_seconds:.1f} s" if result.trained else "already built (use --force to retrain)"
    console.print(f"adapted model {result.model_dir}: {pairs} pairs; {trained}")
    console.print(f"re-embedded {result.passages} passages in {result.reembed_seconds:.1f} s (index {result.version})")
    if not get_settings().use_adapted_model:
        console.print(
            "note: VSH_USE_ADAPTED_MODEL is off, so the next `vsh ingest` that changes the index re-embeds it "
            "with the base model; set VSH_USE_ADAPTED_MODEL=true to keep this one."
        )
