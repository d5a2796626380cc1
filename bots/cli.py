"""`vsh serve` (web chat + API) and `vsh slack` (Socket Mode).

`serve_command(extensions)` makes the `serve` command: the `vsh` command line passes the web app extensions
of higher packages (the review pages), so that this package never imports them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    from bots.web.app import AppExtension

__all__ = ["serve_command", "slack"]


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
