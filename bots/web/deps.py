"""FastAPI dependencies (`Annotated` aliases) reading the per-app state set by `create_app`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, HTTPException, Request

from bots.service import ChannelService
from bots.web.metrics import RATE_LIMITED
from bots.web.ratelimit import SlidingWindowLimiter
from settings import Settings
from storage import TranscriptStore

__all__ = ["ServiceDep", "SettingsDep", "StoreDep", "RateLimit", "client_key"]


def get_service(request: Request) -> ChannelService:
    return request.app.state.service


def get_settings_dep(request: Request) -> Settings:
    return request.app.state.settings


def get_store(request: Request) -> TranscriptStore:
    return request.app.state.store


def client_key(request: Request) -> str:
    return request.client.host if request.client else "unknown"


def rate_limit(request: Request) -> None:
    limiter: SlidingWindowLimiter = request.app.state.limiter
    wait = limiter.hit(client_key(request))
    if wait:
        route = getattr(request.scope.get("route"), "path", "unmatched")
        RATE_LIMITED.labels(route=route).inc()
        raise HTTPException(
            status_code=429,
            detail=f"Too many requests: the limit is {limiter.limit} a minute. Try again shortly.",
            headers={"Retry-After": limiter.retry_after_header(wait)},
        )


ServiceDep = Annotated[ChannelService, Depends(get_service)]
SettingsDep = Annotated[Settings, Depends(get_settings_dep)]
StoreDep = Annotated[TranscriptStore, Depends(get_store)]
RateLimit = Annotated[None, Depends(rate_limit)]
