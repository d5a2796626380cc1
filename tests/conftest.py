"""Shared fixtures: the real corpus (never skipped) and one index built from it per test session."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _browser import headless_chromium
from _servers import BACKENDS, database_url

from settings import REPO_ROOT, Settings
from storage import TranscriptStore

CORPUS = Path(__import__("os").environ.get("VSH_TEST_CORPUS", REPO_ROOT.parent / "shared" / "corpus"))
GUIDANCE = CORPUS / "guidance"
ANNOUNCEMENTS = CORPUS / "announcements"
DESIGNATED_TEACHER_PDF = GUIDANCE / "The_designated_teacher_for_looked-after_and_previously_looked-after_children.pdf"


@pytest.fixture(scope="session")
def corpus() -> Path:
    """The real corpus beside the checkout. Missing corpus is a failure, never a skip."""
    if not GUIDANCE.is_dir() or not any(GUIDANCE.glob("*.pdf")):
        pytest.fail(f"The corpus is missing: expected DfE PDFs in {GUIDANCE} (set VSH_TEST_CORPUS)")
    return CORPUS


@pytest.fixture(scope="session")
def corpus_settings(corpus: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Settings]:
    """Settings whose data directory holds an index of the whole real corpus, built once per session."""
    from index.build import ingest_paths

    data_dir = tmp_path_factory.mktemp("corpus-index")
    settings = Settings(data_dir=data_dir, corpus_paths=[corpus])
    report = ingest_paths([corpus], settings)
    assert not report.failed, report.failed
    yield settings


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Every test that reads the real corpus (the `corpus` fixture, directly or through `corpus_settings`)
    is marked `corpus`: `pytest -m "not corpus and not browser and not postgres and not load and not model"` is
    the fast unit run (fake retriever, no corpus index)."""
    for item in items:
        if "corpus" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.corpus)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[TranscriptStore]:
    """A fresh SQLite transcript store of the test's own (a test file may define its own `store`)."""
    s = TranscriptStore(f"sqlite:///{tmp_path / 'db' / 'vsh.sqlite3'}")
    yield s
    s.engine.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """One headless Debian Chromium (playwright) per test module."""
    with headless_chromium() as b:
        yield b


@pytest.fixture(params=BACKENDS)
def store_on_each_backend(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[TranscriptStore]:
    """A fresh, migrated transcript store on SQLite and, marked `postgres`, on PostgreSQL. A test file whose
    tests should run on both defines `store` as this one."""
    with database_url(str(request.param), tmp_path) as url:
        s = TranscriptStore(url)
        s.migrate()
        yield s
        s.close()


@pytest.fixture
def fake_settings(tmp_path: Path) -> Settings:
    """Settings for tests over `fakes.FakeRetriever`: an empty data directory of their own, no corpus."""
    return Settings(data_dir=tmp_path / "data", corpus_paths=[], rate_limit_per_minute=1000)
