"""Settings come from one pydantic object read from `VSH_...` environment variables."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from settings import REPO_ROOT, Settings


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("VSH_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("VSH_MIN_EVIDENCE_SCORE", "0.3")
    settings = Settings()
    assert settings.data_dir == tmp_path
    assert settings.min_evidence_score == 0.3
    assert settings.resolved_database_url == f"sqlite:///{tmp_path / 'vsh.sqlite3'}"


def test_database_url_wins_when_set() -> None:
    url = "postgresql+psycopg://u@127.0.0.1:5432/db"
    assert Settings(database_url=url).resolved_database_url == url


def test_secrets_are_not_printed() -> None:
    settings = Settings(slack_bot_token="xoxb-secret", llm_api_key="sk-secret")
    assert "xoxb-secret" not in repr(settings)
    assert "sk-secret" not in repr(settings)


def test_readme_settings_table_lists_every_field() -> None:
    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`VSH_{name.upper()}`" not in readme]
    assert not missing, f"add to the README settings table: {missing}"


def _vsh_with_data_dir(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("VSH_")}
    environ.update(VSH_DATA_DIR=str(data_dir), PYTHONPATH=str(REPO_ROOT))
    return subprocess.run(
        [sys.executable, "-m", "vsh", *args], cwd=REPO_ROOT, env=environ, capture_output=True, text=True, timeout=300
    )


@pytest.mark.parametrize("below", [False, True], ids=["is-a-file", "under-a-file"])
def test_vsh_ask_with_a_data_dir_that_is_a_file_prints_one_error_line(tmp_path: Path, below: bool) -> None:
    file = tmp_path / "data"
    file.write_text("not a folder\n")
    data_dir = file / "vsh" if below else file
    done = _vsh_with_data_dir(data_dir, "ask", "Who decides how Pupil Premium Plus is spent?")
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr and "FileExistsError" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert f"VSH_DATA_DIR ({data_dir})" in lines[0] and "is a file" in lines[0] and "folder" in lines[0]
    assert file.read_text() == "not a folder\n"


@pytest.mark.parametrize(
    "args",
    [
        ["ask", "Who decides?"],
        ["docs"],
        ["search", "pupil premium"],
        ["ingest", "notes.txt"],
        ["transcripts", "delete", "--older-than", "30"],
        ["eval", "report", "run-1"],
        ["users", "add", "alice", "--password-stdin"],
    ],
    ids=lambda args: args[0] if args[0] not in ("transcripts", "eval") else " ".join(args[:2]),
)
def test_every_command_that_opens_the_data_dir_says_it_is_a_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    from typer.testing import CliRunner

    from settings import get_settings
    from vsh.cli import app

    file = tmp_path / "data"
    file.write_text("not a folder\n")
    (tmp_path / "notes.txt").write_text("The virtual school head must keep records.\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("VSH_DATA_DIR", str(file))
    get_settings.cache_clear()
    try:
        result = CliRunner().invoke(app, args, input="correct horse battery staple\n")
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 2 and isinstance(result.exception, SystemExit), (result.exception, result.output)
    assert f"VSH_DATA_DIR ({file}) is a file" in " ".join(result.output.split())
    assert file.read_text() == "not a folder\n"
