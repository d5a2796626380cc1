"""The `vsh` command line: each package contributes its own commands; this module only wires them."""

from __future__ import annotations

import typer

from assistant.cli import ask
from bots.cli import serve, slack
from evals.cli import eval_app, users_app
from index.cli import docs, index_app, ingest, search

__all__ = ["app"]

app = typer.Typer(
    help="VSH Guidance Assistant: cited answers from DfE guidance on the Virtual School Head role.",
    no_args_is_help=True,
    add_completion=False,
)
app.command(help="Parse guidance files or folders and add them to the index.")(ingest)
app.command(help="Search the index and print passages with their locators.")(search)
app.command(help="List the documents in the index.")(docs)
app.command(help="Ask a question and print the cited answer.")(ask)
app.command(help="Serve the web chat, the API and (optionally) Slack HTTP events.")(serve)
app.command(help="Run the Slack bot in Socket Mode.")(slack)
app.add_typer(index_app, name="index", help="Maintain the index (adapt the embedding model to the documents).")
app.add_typer(eval_app, name="eval", help="Run and compare evaluations.")
app.add_typer(users_app, name="users", help="Manage reviewer accounts for /review.")

if __name__ == "__main__":  # pragma: no cover
    app()
