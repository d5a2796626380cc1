"""`vsh ask` serves an approved answer too (the `vsh` command line wires storage's source into it)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _servers import shared_assistant
from typer.testing import CliRunner

from settings import Settings, get_settings
from storage import TranscriptStore
from storage.approved import approve

APPROVED = "Does the designated teacher's role cover adopted children too?"
IN_OTHER_WORDS = "Is the designated teacher also responsible for adopted pupils?"


def test_vsh_ask_labels_an_approved_answer(
    corpus_settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vsh.cli import app

    url = f"sqlite:///{tmp_path / 'vsh.sqlite3'}"
    store = TranscriptStore(url)
    store.migrate()
    assistant = shared_assistant(corpus_settings)
    answer = assistant.ask(APPROVED)
    approve(
        store, question=APPROVED, answer=answer, reviewer="lead", kind="approved", documents=assistant.index.documents()
    )
    monkeypatch.setenv("VSH_DATA_DIR", str(corpus_settings.data_dir))
    monkeypatch.setenv("VSH_DATABASE_URL", url)
    get_settings.cache_clear()
    try:
        served = CliRunner().invoke(app, ["ask", IN_OTHER_WORDS])
        other = CliRunner().invoke(app, ["ask", "Does the designated teacher's role cover children in need too?"])
    finally:
        get_settings.cache_clear()
    assert served.exit_code == 0, served.output
    assert served.output.startswith("Reviewed by a Virtual School Head on ") and "Sources:" in served.output
    assert other.exit_code == 0 and "Reviewed by a Virtual School Head" not in other.output
