"""Torch-free query embedding: the snapshot's model exported to ONNX, run with onnxruntime and `tokenizers`.

An export lives in `<data_dir>/onnx/<name>/` (written by `index.onnx_export` at ingest, never committed):
`model.onnx` (the transformer, fp32, inputs `input_ids`, `attention_mask`, `token_type_ids`, output the last
hidden state), `tokenizer.json` and `embedder.json` (maximum sequence length, dimension, padding token, the
model it came from). `OnnxEmbedder` does what sentence-transformers does with the same model: tokenise with
truncation at the model's maximum sequence length, pad to the longest text of the batch, mean-pool the hidden
states over the attention mask and L2-normalise; its vectors match sentence-transformers' to float rounding
(cosine >= 0.9999, checked at export and by the tests).

This module never imports torch, transformers or sentence-transformers.
"""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np

from index.embedder import QueuedEncoder

__all__ = ["ONNX_DIR", "OnnxEmbedder", "get_onnx_embedder", "onnx_folder_name", "onnx_root"]

ONNX_DIR = "onnx"
MODEL_FILE = "model.onnx"
TOKENIZER_FILE = "tokenizer.json"
CONFIG_FILE = "embedder.json"
MODEL_FILES = ("config.json", "modules.json", "sentence_bert_config.json", "tokenizer.json", "1_Pooling/config.json")


def onnx_root(data_dir: Path) -> Path:
    """Folder holding the ONNX exports (inside the data directory)."""
    return Path(data_dir) / ONNX_DIR


@lru_cache(maxsize=8)
def _digest(folder: str, stamp: tuple[tuple[str, int, int], ...]) -> str:
    digest = hashlib.sha256()
    root = Path(folder)
    for name in MODEL_FILES:
        path = root / name
        if path.is_file():
            digest.update(name.encode() + b"\0" + path.read_bytes())
    for name, _size, _mtime in stamp:
        with (root / name).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()[:16]


def onnx_folder_name(model: str) -> str:
    """`<model folder name>-<digest of its configuration and weights>`: the same model gives the same name
    wherever it is installed, and a retrained model (same folder, new weights) a new one."""
    root = Path(model)
    weights = sorted(p for p in root.iterdir() if p.suffix in (".safetensors", ".bin")) if root.is_dir() else []
    stamp = tuple((p.name, p.stat().st_size, p.stat().st_mtime_ns) for p in weights)
    return f"{root.name or 'model'}-{_digest(str(root), stamp)}"


class OnnxEmbedder(QueuedEncoder):
    """Encodes texts with an ONNX export (see the module notes); thread-safe, concurrent small jobs batched."""

    def __init__(self, folder: Path, threads: int = 1) -> None:
        super().__init__()
        import onnxruntime
        from tokenizers import Tokenizer

        folder = Path(folder)
        config = json.loads((folder / CONFIG_FILE).read_text(encoding="utf-8"))
        self.name = str(config.get("model", folder.name))
        self.dimension = int(config["dimension"])
        self.threads = max(1, threads)
        self.max_length = int(config["max_seq_length"])
        tokenizer = Tokenizer.from_file(str(folder / TOKENIZER_FILE))
        tokenizer.enable_truncation(max_length=self.max_length)
        tokenizer.enable_padding(pad_id=int(config["pad_id"]), pad_token=str(config["pad_token"]))
        self._tokenizer = tokenizer
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = self.threads
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self._session: Any = onnxruntime.InferenceSession(
            str(folder / MODEL_FILE), options, providers=["CPUExecutionProvider"]
        )
        self._inputs = {i.name for i in self._session.get_inputs()}

    def _encode_now(self, texts: list[str], batch_size: int, threads: int) -> np.ndarray:
        order = sorted(range(len(texts)), key=lambda i: -len(texts[i]))  # like sentence-transformers: by length
        out = np.zeros((len(texts), self.dimension), dtype=np.float32)
        for start in range(0, len(order), max(1, batch_size)):
            rows = order[start : start + batch_size]
            out[rows] = self._encode_batch([texts[i] for i in rows])
        return out

    def _encode_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.asarray([e.ids for e in encodings], dtype=np.int64)
        mask = np.asarray([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._inputs:
            feeds["token_type_ids"] = np.asarray([e.type_ids for e in encodings], dtype=np.int64)
        hidden = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


@lru_cache(maxsize=4)
def get_onnx_embedder(folder: str, threads: int = 1) -> OnnxEmbedder:
    """The process-wide ONNX embedder of the export in `folder`."""
    return OnnxEmbedder(Path(folder), threads)
