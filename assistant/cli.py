"""`vsh ask "question" [--json]`: print a cited answer (JSON is exactly `Answer.model_dump_json(indent=2)`)."""

from __future__ import annotations

import typer

__all__ = ["ask"]


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
        answer = Assistant(settings).ask(question)
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
