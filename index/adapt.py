"""Adapting the embedding model to the ingested documents (opt-in, built into the data directory).

Training pairs are mined from an index snapshot's passages by generic rules of document structure
(`index.adapt_pairs`).

`train_adapted_model` fine-tunes the base model on the pairs with sentence-transformers'
MultipleNegativesRankingLoss (in-batch negatives; no batch holds the same text twice), seeded, and saves it
under `<data_dir>/models/adapted-<hash>/` where the hash covers the base model, the training settings and the
passages' texts. `<data_dir>/models/ADAPTED` names the newest adapted model; `embedding_model(settings)` uses
it for ingest when `settings.use_adapted_model` is on. `reembed_index` re-embeds the live snapshot with a model
and records that model in the new snapshot, so searches embed questions with the same model.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from index.adapt_pairs import PAIR_KINDS, PairKind, TrainingPair, mine_pairs
from index.embedder import default_model_path, get_embedder
from index.onnx_export import ensure_onnx_export
from index.store import Snapshot, read_snapshot, write_snapshot
from index.texts import embedding_text
from index.vectors import VectorBank, snapshot_vectors
from ingest.models import Passage
from settings import Settings

__all__ = [
    "PAIR_KINDS",
    "AdaptConfig",
    "AdaptResult",
    "PairKind",
    "TrainingPair",
    "adapt_index",
    "adapted_model_dir",
    "current_adapted_model",
    "embedding_model",
    "mine_pairs",
    "reembed_index",
    "train_adapted_model",
]

MODELS_DIR = "models"
POINTER = "ADAPTED"
METADATA = "adapt.json"


@dataclass(frozen=True)
class AdaptConfig:
    """How to fine-tune. Defaults: every pair kind, one epoch, learning rate 2e-5, batches of 32, seed 13."""

    kinds: tuple[PairKind, ...] = PAIR_KINDS
    epochs: int = 1
    learning_rate: float = 2e-5
    batch_size: int = 32
    seed: int = 13
    warmup_ratio: float = 0.1
    max_pairs: int = 0  # 0 = all mined pairs (tests train on a few)

    def as_dict(self) -> dict[str, Any]:
        return {
            "kinds": list(self.kinds),
            "epochs": self.epochs,
            "learning_rate": self.learning_rate,
            "batch_size": self.batch_size,
            "seed": self.seed,
            "warmup_ratio": self.warmup_ratio,
            "max_pairs": self.max_pairs,
        }


@dataclass
class AdaptResult:
    """What `adapt_index` did: the model folder, pair counts, and the seconds spent on each stage."""

    model_dir: Path
    pairs: dict[str, int] = field(default_factory=dict)
    trained: bool = False
    train_seconds: float = 0.0
    reembed_seconds: float = 0.0
    passages: int = 0
    version: str = ""


Progress = Callable[[str, int, int], None]
"""Called as (stage, done, total); stages: 'train', 'embed'."""


# --- mining ---------------------------------------------------------------------------------------


def models_root(data_dir: Path) -> Path:
    """Folder holding adapted models (inside the data directory, never committed)."""
    return Path(data_dir) / MODELS_DIR


def adapted_model_dir(data_dir: Path, passages: Sequence[Passage], config: AdaptConfig, base_model: str) -> Path:
    """`<data_dir>/models/adapted-<hash>`: the hash covers the base model's name, the config and the passages."""
    digest = hashlib.sha256()
    digest.update(Path(base_model).name.encode())
    digest.update(json.dumps(config.as_dict(), sort_keys=True).encode())
    for passage in passages:
        digest.update(b"\0" + embedding_text(passage).encode())
    return models_root(data_dir) / f"adapted-{digest.hexdigest()[:16]}"


def current_adapted_model(data_dir: Path) -> Path | None:
    """The newest adapted model named by `<data_dir>/models/ADAPTED`, if it is there and whole."""
    pointer = models_root(data_dir) / POINTER
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except OSError:
        return None
    folder = models_root(data_dir) / name
    return folder if name and (folder / METADATA).is_file() else None


def embedding_model(settings: Settings) -> str:
    """The model ingest embeds with: `embedding_model` if set, else the adapted model when
    `use_adapted_model` is on and one has been built, else the packaged all-MiniLM-L6-v2."""
    if settings.embedding_model:
        return str(settings.embedding_model)
    if settings.use_adapted_model:
        adapted = current_adapted_model(Path(settings.data_dir))
        if adapted is not None:
            return str(adapted)
    return default_model_path()


# --- training -------------------------------------------------------------------------------------


def _batches(pairs: Sequence[TrainingPair], size: int, rng: random.Random) -> list[list[TrainingPair]]:
    """Shuffled batches in which no anchor or positive text appears twice (in-batch negatives stay negative)."""
    pending = list(pairs)
    rng.shuffle(pending)
    batches: list[list[TrainingPair]] = []
    while pending:
        batch: list[TrainingPair] = []
        texts: set[str] = set()
        left: list[TrainingPair] = []
        for pair in pending:
            if len(batch) < size and pair.anchor not in texts and pair.positive not in texts:
                batch.append(pair)
                texts.update((pair.anchor, pair.positive))
            else:
                left.append(pair)
        batches.append(batch)
        pending = left
    return batches


def train_adapted_model(
    pairs: Sequence[TrainingPair],
    base_model: str,
    output_dir: Path,
    config: AdaptConfig,
    *,
    threads: int = 0,
    progress: Progress | None = None,
) -> float:
    """Fine-tune `base_model` on `pairs` (MultipleNegativesRankingLoss) and save it whole to `output_dir`
    (written beside it and renamed into place). Returns the training seconds."""
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")
    import torch
    from sentence_transformers import SentenceTransformer
    from sentence_transformers.sentence_transformer.losses import MultipleNegativesRankingLoss
    from transformers import get_linear_schedule_with_warmup
    from transformers.utils import logging as transformers_logging

    transformers_logging.disable_progress_bar()
    transformers_logging.set_verbosity_error()

    if not pairs:
        raise ValueError("no training pairs: the index has no passages the mining rules can use")
    started = time.perf_counter()
    previous_threads = torch.get_num_threads()
    torch.set_num_threads(max(1, threads or os.cpu_count() or 1))
    random.seed(config.seed)
    np.random.seed(config.seed)
    torch.manual_seed(config.seed)
    rng = random.Random(config.seed)
    try:
        model = SentenceTransformer(base_model, device="cpu")
        loss = MultipleNegativesRankingLoss(model)
        epochs = [_batches(pairs, config.batch_size, rng) for _ in range(config.epochs)]
        total = sum(len(batches) for batches in epochs)
        optimizer = torch.optim.AdamW(loss.parameters(), lr=config.learning_rate, weight_decay=0.01)
        scheduler = get_linear_schedule_with_warmup(optimizer, int(total * config.warmup_ratio), total)
        model.train()
        done = 0
        for batches in epochs:
            for batch in batches:
                features = [
                    model.preprocess([pair.anchor for pair in batch]),
                    model.preprocess([pair.positive for pair in batch]),
                ]
                value = loss(features, torch.zeros(len(batch), dtype=torch.long))
                value.backward()
                torch.nn.utils.clip_grad_norm_(loss.parameters(), 1.0)
                optimizer.step()
                scheduler.step()
                optimizer.zero_grad()
                done += 1
                if progress:
                    progress("train", done, total)
        model.eval()
        _save_model(model, output_dir)
    finally:
        torch.set_num_threads(previous_threads)
    return round(time.perf_counter() - started, 1)


def _save_model(model: Any, output_dir: Path) -> None:
    output_dir.parent.mkdir(parents=True, exist_ok=True)
    staging = output_dir.parent / f".tmp-{output_dir.name}-{uuid.uuid4().hex[:8]}"
    try:
        model.save(str(staging), create_model_card=False)
        if output_dir.exists():
            shutil.rmtree(output_dir)
        os.replace(staging, output_dir)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


# --- re-embedding and the whole command -----------------------------------------------------------


def reembed_index(settings: Settings, model: str, *, progress: Progress | None = None) -> tuple[str, float]:
    """Re-embed every passage, sentence unit and heading of the live snapshot with `model`, export `model` to
    ONNX, and write it as the new live snapshot (recording `model`, so searches embed questions with it).
    Returns (version, seconds)."""
    started = time.perf_counter()
    snapshot, _ = read_snapshot(Path(settings.data_dir))
    embedder = get_embedder(model, settings.torch_threads)
    threads = settings.ingest_threads or os.cpu_count() or 1
    chunk = max(1, settings.embedding_batch_size) * 8

    def encode(texts: list[str]) -> np.ndarray:
        parts: list[np.ndarray] = []
        for start in range(0, len(texts), chunk):
            parts.append(
                embedder.encode(texts[start : start + chunk], batch_size=settings.embedding_batch_size, threads=threads)
            )
            if progress:
                progress("embed", min(start + chunk, len(texts)), len(texts))
        return np.concatenate(parts) if parts else np.zeros((0, embedder.dimension), dtype=np.float32)

    built = snapshot_vectors(snapshot.passages, VectorBank(model), encode, embedder.dimension)
    version = write_snapshot(
        Path(settings.data_dir),
        Snapshot(
            documents=snapshot.documents,
            passages=snapshot.passages,
            vectors=built.passages,
            model=model,
            dimension=embedder.dimension,
            units=built.units,
            headings=built.headings,
            heading_vectors=built.heading_vectors,
            onnx=ensure_onnx_export(Path(settings.data_dir), model),
        ),
    )
    return version, round(time.perf_counter() - started, 1)


def adapt_index(
    settings: Settings,
    config: AdaptConfig | None = None,
    *,
    force: bool = False,
    progress: Progress | None = None,
) -> AdaptResult:
    """Mine pairs from the live index, fine-tune the base model on them (unless a model for the same
    passages and config exists, or `force`), name it in `models/ADAPTED`, and re-embed the index with it."""
    config = config or AdaptConfig()
    data_dir = Path(settings.data_dir)
    snapshot, _ = read_snapshot(data_dir, with_vectors=False)
    base = str(settings.embedding_model or default_model_path())
    pairs = mine_pairs(snapshot.passages, config.kinds)
    if config.max_pairs:
        pairs = pairs[: config.max_pairs]
    target = adapted_model_dir(data_dir, snapshot.passages, config, base)
    result = AdaptResult(model_dir=target, passages=len(snapshot.passages))
    for kind in config.kinds:
        result.pairs[kind] = sum(1 for pair in pairs if pair.kind == kind)
    if force or not (target / METADATA).is_file():
        threads = settings.ingest_threads or os.cpu_count() or 1
        result.train_seconds = train_adapted_model(pairs, base, target, config, threads=threads, progress=progress)
        result.trained = True
        metadata = {
            "base_model": base,
            "config": config.as_dict(),
            "pairs": result.pairs,
            "passages": len(snapshot.passages),
            "train_seconds": result.train_seconds,
            "threads": threads,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S"),
        }
        (target / METADATA).write_text(json.dumps(metadata, indent=1), encoding="utf-8")
    pointer = models_root(data_dir) / f".{POINTER}-{uuid.uuid4().hex[:8]}"
    pointer.write_text(target.name, encoding="utf-8")
    os.replace(pointer, models_root(data_dir) / POINTER)
    result.version, result.reembed_seconds = reembed_index(settings, str(target), progress=progress)
    return result
