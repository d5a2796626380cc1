"""Headless Chromium for the browser tests: Debian's binary (never a downloaded one) and axe-core."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest

__all__ = ["CHROMIUM_ARGS", "chromium_path", "headless_chromium", "serious_violations"]

# Without the background-networking flags Chromium keeps calling out to hosts this machine cannot reach.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def chromium_path() -> str:
    """Debian's Chromium (or VSH_CHROMIUM); a missing browser fails the test, it is never skipped."""
    path = os.environ.get("VSH_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(path).exists():
        pytest.fail(
            f"Chromium not found at {path!r}: install the Debian 'chromium' package or set VSH_CHROMIUM "
            "(never `playwright install`)."
        )
    return path


@contextmanager
def headless_chromium() -> Iterator[Any]:
    """Debian's Chromium launched headless through Playwright, closed on exit."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
        try:
            yield browser
        finally:
            browser.close()


def serious_violations(page: Any) -> list[str]:
    """axe-core violations of serious or critical impact on the current page."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} -> {[n['target'] for n in v['nodes']][:3]}"
        for v in results.response["violations"]
        if v.get("impact") in ("serious", "critical")
    ]
