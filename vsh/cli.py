"""The `vsh` command line: each package contributes its own commands; this module only wires them.

It is the top of the import graph (nothing imports `vsh`): it may hand one package's parts to another, as it
does with the review pages, a router of `evals` that the web app of `bots` mounts when served.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperGroup

from bots.cli import ask, serve_command, slack
from evals.cli import eval_app, users_app
from evals.review import mount_review
from index.cli import docs, index_app, ingest, search
from settings import VshError
from storage.cli import transcripts_app
from sync.cli import sync

__all__ = ["app"]


class _Commands(TyperGroup):
    """A product error no command handles itself (a configuration error, such as VSH_DATA_DIR naming a file)
    is shown as one line, what is wrong and what to do, with exit code 2: never a traceback."""

    def invoke(self, ctx: Any) -> Any:  # the parameter type typer declares is private (typer._click.Context)
        try:
            return super().invoke(ctx)
        except VshError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(code=2) from exc


app = typer.Typer(
    cls=_Commands,
    help="VSH Guidance Assistant: cited answers from DfE guidance on the Virtual School Head role.",
    no_args_is_help=True,
    add_completion=False,
)
app.command(help="Parse guidance files or folders and add them to the index.")(ingest)
app.command(help="Search the index and print passages with their locators.")(search)
app.command(help="List the documents in the index, with their version and last check.")(docs)
app.command(help="Keep the guidance set current from GOV.UK (the sources manifest); --dry-run lists changes.")(sync)
app.command(help="Ask a question and print the cited answer.")(ask)
app.command(name="serve", help="Serve the web chat, the API, the review pages and (optionally) Slack HTTP events.")(
    serve_command(extensions=[mount_review])
)
app.command(help="Run the Slack bot in Socket Mode.")(slack)
app.add_typer(index_app, name="index", help="Maintain the index (adapt the embedding model to the documents).")
app.add_typer(eval_app, name="eval", help="Run and compare evaluations.")
app.add_typer(users_app, name="users", help="Manage reviewer accounts for /review.")
app.add_typer(transcripts_app, name="transcripts", help="Delete stored conversations (by age or by id).")

if __name__ == "__main__":  # pragma: no cover
    app()
