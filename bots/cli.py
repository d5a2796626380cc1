"""`vsh serve` (web chat + API), `vsh slack` (Socket Mode) and `vsh ask` (the command-line channel).

`serve_command(extensions)` makes the `serve` command: the `vsh` command line passes the web app extensions
of higher packages (the review pages), so that this package never imports them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from bots.web.app import AppExtension

__all__ = ["ask", "serve_command", "slack"]


def serve_command(extensions: Sequence[AppExtension] = ()) -> Callable[..., None]:
    """The `vsh serve` command, serving the web app with `extensions` (see `bots.web.app.create_app`)."""

    def serve(
        paths: Annotated[
            list[Path] | None,
            typer.Argument(help="Files or folders to ingest first (default: the configured corpus paths)."),
        ] = None,
        ingest: Annotated[
            bool,
            typer.Option("--ingest/--no-ingest", help="Ingest the corpus before serving (unchanged files are cheap)."),
        ] = False,
        host: Annotated[str | None, typer.Option(help="Interface to listen on (default: VSH_HOST).")] = None,
        port: Annotated[int | None, typer.Option(help="Port to listen on (default: VSH_PORT).")] = None,
    ) -> None:
        """Serve the web chat, the JSON API and the source viewer with uvicorn."""
        import uvicorn

        from bots.slack.http import mount_slack_if_configured
        from bots.web.app import create_app
        from bots.web.proxies import uvicorn_proxy_options
        from settings import get_settings

        settings = get_settings()
        if ingest:
            from index.build import ingest_paths

            targets = list(paths) if paths else list(settings.corpus_paths)
            typer.echo(f"Ingesting {', '.join(str(p) for p in targets)} ...")
            report = ingest_paths(targets, settings, progress=True)
            failed = report.failed
            if failed:
                typer.secho(f"{len(failed)} file(s) could not be ingested: {failed}", fg=typer.colors.YELLOW, err=True)
        elif paths:
            typer.secho("PATHS are only read with --ingest; ignoring them.", fg=typer.colors.YELLOW, err=True)
        host = host or settings.host
        port = port or settings.port
        typer.echo(f"Serving on http://{host}:{port}/ (API docs at /docs)")
        app = create_app(settings, extensions=[*extensions, mount_slack_if_configured])
        uvicorn.run(app, host=host, port=port, log_level="info", **uvicorn_proxy_options(settings))

    return serve


def slack() -> None:
    """Run the Slack bot in Socket Mode (needs VSH_SLACK_BOT_TOKEN and VSH_SLACK_APP_TOKEN; see bots/slack/README.md)."""
    import logging

    from bots.slack.socket import SlackNotConfigured, run_socket_mode

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    typer.echo("Connecting to Slack in Socket Mode (Ctrl+C to stop) ...")
    try:
        run_socket_mode()
    except SlackNotConfigured as exc:
        typer.secho(str(exc), fg=typer.colors.RED, err=True)
        raise typer.Exit(code=2) from exc
    except KeyboardInterrupt:
        typer.echo("Stopped.")


def _bold_lines(run: str) -> str:
    """`run` in bold on a terminal, each of its lines apart (so that a wrapped sentence keeps its indent plain)."""
    return "\n".join(re.sub(r"\S.*", lambda m: typer.style(m.group(0), bold=True), line) for line in run.split("\n"))


def _wrapped(text: str, width: int, indent: str = "") -> str:
    """Each line of `text` wrapped to `width` at spaces only (words, URLs and ids are never split); a "- " line
    or an item of a quoted list ("  • ...", "(b) ...") hangs under its first word, its indent kept."""
    import textwrap

    from textkit import is_list_item, list_item_body

    out = []
    for line in text.split("\n"):
        words = line.lstrip(" ")
        lead = indent + line[: len(line) - len(words)]
        if words.startswith("- "):
            hang = 2
        elif is_list_item(words):
            hang = len(words) - len(list_item_body(words))
        else:
            hang = 0
        out.append(
            textwrap.fill(
                words,
                width=max(20, width),
                initial_indent=lead,
                subsequent_indent=lead + " " * hang,
                break_long_words=False,
                break_on_hyphens=False,
            )
            if line.strip()
            else ""
        )
    return "\n".join(out)


def ask(
    question: Annotated[str, typer.Argument(help="The question, in plain English.")],
    json_: Annotated[bool, typer.Option("--json", help="Print the Answer as JSON.")] = False,
    generative: Annotated[bool, typer.Option("--generative", help="Use the configured LLM endpoint.")] = False,
) -> None:
    """Ask a question and print the cited answer with its sources and their statutory force.

    Lines fit the terminal (COLUMNS); links open from a terminal: the source viewer at VSH_PUBLIC_BASE_URL when
    it is set, else the publication on GOV.UK. A point quoting a list shows its lead-in, then one item a line
    with its marker, the citation after the last item."""
    import shutil

    from assistant.compose import STATUS_WORDS, section_where
    from assistant.core import Assistant
    from bots.present import answer_view, evidence_note, lay_out, mark, marked_focus, outside_link
    from bots.question_check import question_problem
    from index import IndexUnavailable
    from settings import get_settings
    from storage import approved_answers_for

    settings = get_settings()
    problem = question_problem(question, settings.max_question_chars)
    if problem is not None:
        typer.echo(problem[1], err=True)
        raise typer.Exit(1)
    if generative:
        settings = settings.model_copy(update={"generative": True})
    try:
        assistant = Assistant(settings, approved=approved_answers_for(settings))
        answer = assistant.ask(question)
    except IndexUnavailable as exc:
        typer.echo(f"The guidance index is not available: {exc}", err=True)
        raise typer.Exit(2) from exc
    if json_:
        typer.echo(answer.model_dump_json(indent=2))
        return
    width = shutil.get_terminal_size((80, 24)).columns - 1
    base = settings.public_base_url
    official = {d.doc_id: d.source_url for d in assistant.index.documents()}
    view = answer_view(answer)
    if view.notice:
        typer.echo(_wrapped(f"Safeguarding: {view.notice}", width) + "\n")
    shown = _wrapped(lay_out(view.body), width)  # a quoted list: its lead-in, then one item a line
    for focus in marked_focus(answer):  # the answering sentence of a quote that does not start with it, in bold
        shown = mark(shown, focus, _bold_lines, across_lines=True)
    typer.echo(shown)  # (typer drops the bold when the output is not a terminal)
    note = evidence_note(answer)
    if note:
        typer.echo("\n" + _wrapped(note, width))
    if answer.citations:
        typer.echo("\nSources:")
        for c in answer.citations:
            typer.echo(_wrapped(f"[{c.number}] {c.locator} ({STATUS_WORDS.get(c.status, c.status)})", width, "  "))
            target = outside_link(base, c.url, c.source_url)
            if target:
                typer.echo(f"      {target}")
    sections = answer.closest_sections if answer.declined else answer.related_sections
    if sections:
        typer.echo("\nThe closest sections I found:" if answer.declined else "\nRelated sections:")
        for link in sections:
            typer.echo(_wrapped(f"- {section_where(link)}", width, "  "))
            target = outside_link(base, link.url, official.get(link.doc_id, ""))
            if target:
                typer.echo(f"      {target}")
    if view.legend:
        typer.echo("\n" + _wrapped(view.legend, width))
    if answer.personal_data_notice:
        typer.echo("\n" + _wrapped(f"Note: {answer.personal_data_notice}", width))
    typer.echo(f"\nQuestion type: {answer.question_type}; mode: {answer.mode}")
