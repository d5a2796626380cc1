"""The benchmark refuses a missing corpus folder with a clear message (before any work starts)."""

from __future__ import annotations

from pathlib import Path

import pytest

from evals.benchmark import main


def test_missing_corpus_is_a_clear_usage_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--corpus", str(tmp_path / "no-such-folder")])
    assert exited.value.code == 2
    assert f"no corpus folder at {tmp_path / 'no-such-folder'}" in capsys.readouterr().err
