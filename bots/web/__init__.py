"""The web channel: FastAPI app (`create_app`), chat page, source viewer, JSON API and SSE stream."""

from bots.web.app import create_app

__all__ = ["create_app"]
