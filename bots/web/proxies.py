"""The proxy policy: which peers may say who the client is (`VSH_TRUSTED_PROXIES`).

By default no peer is trusted: the client address used by the rate limit, the login throttle and the
loopback-only /metrics is the socket peer, and `X-Forwarded-For` / `X-Forwarded-Proto` are ignored, so a
client cannot dodge a limit by sending a different `X-Forwarded-For` each time. Behind a reverse proxy, list
its address(es) (e.g. `["127.0.0.1"]`): requests from those peers then take the client address uvicorn
reads from the header; requests from anywhere else still count as their peer.
"""

from __future__ import annotations

from typing import Any

from settings import Settings

__all__ = ["uvicorn_proxy_options"]


def uvicorn_proxy_options(settings: Settings) -> dict[str, Any]:
    """The `uvicorn.Config` / `uvicorn.run` keyword arguments of the proxy policy."""
    trusted = [address.strip() for address in settings.trusted_proxies if address.strip()]
    if not trusted:
        return {"proxy_headers": False}
    return {"proxy_headers": True, "forwarded_allow_ips": ",".join(trusted)}
