"""`vsh ask "question" [--json]`: print a cited answer (JSON is exactly `Answer.model_dump_json(indent=2)`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import typer

if TYPE_CHECKING:
    from assistant.approved import ApprovedAnswers
    from settings import Settings

__all__ = ["approved_source", "ask"]

approved_source: Callable[[Settings], ApprovedAnswers | None] | None = None
"""Where `vsh ask` finds approved answers: set by the `vsh` command line (storage lies above this package)."""


def ask(
    question: str = typer.Argument(..., help="The question, in plain English."),
    json_: bool = typer.Option(False, "--json", help="Print the Answer as JSON."),
    generative: bool = typer.Option(False, "--generative", help="Use the configured LLM endpoint."),
) -> None:
    """Ask a question and print the cited answer with its sources and their statutory force."""
    from assistant.compose import STATUS_WORDS, section_where
    from assistant.core import Assistant
    from index import IndexUnavailable
    from settings import get_settings

    settings = get_settings()
    if generative:
        settings = settings.model_copy(update={"generative": True})
    try:
        approved = approved_source(settings) if approved_source is not None else None
        answer = Assistant(settings, approved=approved).ask(question)
    except IndexUnavailable as exc:
        typer.echo(f"The guidance index is not available: {exc}", err=True)
        raise typer.Exit(2) from exc
    if json_:
        typer.echo(answer.model_dump_json(indent=2))
        return
    typer.echo(answer.text)
    if answer.citations:
        typer.echo("\nSources:")
        for c in answer.citations:
            typer.echo(f"  [{c.number}] {c.locator} ({STATUS_WORDS.get(c.status, c.status)})")
            typer.echo(f"      {c.url}" + (f"  ({c.source_url})" if c.source_url else ""))
    if answer.related_sections:
        typer.echo("\nRelated sections:")
        for link in answer.related_sections:
            typer.echo(f"  - {section_where(link)}")
            typer.echo(f"      {link.url}")
    if answer.personal_data_notice:
        typer.echo(f"\nNote: {answer.personal_data_notice}")
    typer.echo(f"\nEvidence: {answer.evidence}; question type: {answer.question_type}; mode: {answer.mode}")
