"""`vsh transcripts delete`: remove stored conversations by age (the retention setting) or by id."""

from __future__ import annotations

from typing import Annotated

import typer

from settings import get_settings
from storage.store import TranscriptStore

__all__ = ["transcripts_app"]

transcripts_app = typer.Typer(no_args_is_help=True)


@transcripts_app.command("delete")
def delete_command(
    older_than: Annotated[
        int | None,
        typer.Option(
            "--older-than",
            min=0,
            metavar="DAYS",
            help="Delete live transcripts older than DAYS days (default: VSH_TRANSCRIPT_RETENTION_DAYS).",
        ),
    ] = None,
    conversation: Annotated[
        str | None,
        typer.Option("--conversation", help="Delete every transcript of this conversation id instead."),
    ] = None,
) -> None:
    """Delete transcripts with their feedback and annotations (evaluation runs keep theirs)."""
    settings = get_settings()
    store = TranscriptStore(settings.resolved_database_url)
    try:
        store.migrate()
        if conversation:
            removed = store.delete_conversation(conversation)
            typer.echo(f"deleted {removed} transcript(s) of conversation {conversation}")
            return
        days = settings.transcript_retention_days if older_than is None else older_than
        if days <= 0:
            typer.echo("nothing deleted: a retention of 0 days keeps transcripts forever (give --older-than DAYS)")
            return
        removed = store.delete_older_than(days)
        typer.echo(f"deleted {removed} live transcript(s) older than {days} days")
    finally:
        store.repository.dispose()
