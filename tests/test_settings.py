"""Settings come from one pydantic object read from `VSH_...` environment variables."""

from pathlib import Path

import pytest

from settings import Settings


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
    from settings import REPO_ROOT

    readme = (REPO_ROOT / "README.md").read_text(encoding="utf-8")
    missing = [name for name in Settings.model_fields if f"`VSH_{name.upper()}`" not in readme]
    assert not missing, f"add to the README settings table: {missing}"
