"""Export the embedding model to ONNX once, at ingest (torch is needed here, never when serving).

`ensure_onnx_export(data_dir, model)` returns the export's folder name under `<data_dir>/onnx/`, exporting
first when it is not there: the model's transformer (eager attention, fp32, dynamic batch and sequence axes)
through torch's ONNX exporter, its tokenizer as `tokenizer.json`, and `embedder.json` (see
`index.onnx_embedder`). Before the export is made live it is checked against sentence-transformers on a few
texts of different lengths (cosine >= `MIN_COSINE`); the folder is written under a temporary name and
renamed into place, so a crash leaves no half export.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import uuid
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from index.embedder import get_embedder
from index.onnx_embedder import CONFIG_FILE, MODEL_FILE, TOKENIZER_FILE, OnnxEmbedder, onnx_folder_name, onnx_root
from settings import VshError

__all__ = ["MIN_COSINE", "OnnxExportError", "ensure_onnx_export", "export_onnx"]

log = logging.getLogger("vsh.index")

MIN_COSINE = 0.9999
CHECK_TEXTS = [
    "What is the role of the virtual school head?",
    "Pupil premium plus",
    "A longer text: the designated teacher should make sure that the school considers whether the support "
    "offered meets the needs set out in the personal education plan, and reviews it every term with the carers.",
]


class OnnxExportError(VshError):
    """The model could not be exported to ONNX, or the export does not reproduce the model's vectors."""

    hint = "Check that torch, onnx and onnxruntime are installed (`make setup`) and that the model is a mean-pooled sentence-transformers model."


def _check_pooling(model: Any) -> None:
    modules = [type(m).__name__ for m in model]
    pooling: Any = model[1] if len(model) > 1 else None
    config = pooling.get_config_dict() if hasattr(pooling, "get_config_dict") else {}
    mean = config.get("pooling_mode") == "mean" or bool(config.get("pooling_mode_mean_tokens"))
    if modules[:1] != ["Transformer"] or not mean or modules[2:3] != ["Normalize"]:
        raise OnnxExportError(f"only Transformer + mean Pooling + Normalize models are exported, not {modules}")


def export_onnx(model: str, target: Path) -> None:
    """Export `model` (a sentence-transformers folder) to `target` (which must not exist yet)."""
    import torch
    from transformers import AutoModel

    reference = get_embedder(model)
    st: Any = reference._model
    _check_pooling(st)
    transformer = AutoModel.from_pretrained(model, attn_implementation="eager").eval()
    tokenizer = st.tokenizer
    staging = target.parent / f".tmp-{target.name}-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    try:

        class LastHidden(torch.nn.Module):
            def __init__(self, inner: Any) -> None:
                super().__init__()
                self.inner = inner

            def forward(self, input_ids: Any, attention_mask: Any, token_type_ids: Any) -> Any:
                out = self.inner(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
                return out.last_hidden_state

        names = ["input_ids", "attention_mask", "token_type_ids"]
        sample = torch.ones((2, 8), dtype=torch.long)
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                LastHidden(transformer),
                (sample, torch.ones_like(sample), torch.zeros_like(sample)),
                str(staging / MODEL_FILE),
                dynamo=False,
                input_names=names,
                output_names=["last_hidden_state"],
                dynamic_axes={name: {0: "batch", 1: "sequence"} for name in [*names, "last_hidden_state"]},
                opset_version=17,
            )
        tokenizer.backend_tokenizer.save(str(staging / TOKENIZER_FILE))
        config = {
            "model": model,
            "dimension": reference.dimension,
            "max_seq_length": int(st.max_seq_length),
            "pad_id": int(tokenizer.pad_token_id or 0),
            "pad_token": str(tokenizer.pad_token or "[PAD]"),
            "pooling": "mean",
            "normalize": True,
        }
        (staging / CONFIG_FILE).write_text(json.dumps(config, indent=1), encoding="utf-8")
        check = OnnxEmbedder(staging).encode(CHECK_TEXTS, batch_size=len(CHECK_TEXTS))
        cosine = float(np.min(np.sum(check * reference.encode(CHECK_TEXTS), axis=1)))
        if cosine < MIN_COSINE:
            raise OnnxExportError(f"the ONNX export of {model} gives vectors at cosine {cosine:.6f} of the model's")
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise


_EXPORTED: dict[str, Path] = {}
"""Exports this process made (name -> folder): another data directory gets links to the same files."""


def _link_export(source: Path, target: Path) -> bool:
    """Hard-link (else copy) an export this process made and checked into `target`; False if it is gone."""
    if not (source / CONFIG_FILE).is_file():
        return False
    staging = target.parent / f".tmp-{target.name}-{uuid.uuid4().hex[:8]}"
    staging.mkdir(parents=True)
    try:
        for name in (MODEL_FILE, TOKENIZER_FILE, CONFIG_FILE):
            try:
                os.link(source / name, staging / name)
            except OSError:
                shutil.copy2(source / name, staging / name)
        os.replace(staging, target)
    except OSError:
        shutil.rmtree(staging, ignore_errors=True)
        return False
    return True


def ensure_onnx_export(data_dir: Path, model: str) -> str:
    """The name of `model`'s ONNX export under `<data_dir>/onnx/`, exported now if it is not there."""
    name = onnx_folder_name(model)
    target = onnx_root(data_dir) / name
    if not (target / CONFIG_FILE).is_file():
        if name in _EXPORTED and _link_export(_EXPORTED[name], target):
            return name
        log.info("exporting %s to ONNX in %s", model, target)
        try:
            export_onnx(model, target)
            _EXPORTED[name] = target
        except OnnxExportError:
            raise
        except OSError as exc:
            if (target / CONFIG_FILE).is_file():  # another process exported it at the same time
                return name
            raise OnnxExportError(f"could not write the ONNX export of {model} to {target}: {exc}") from exc
        except Exception as exc:
            raise OnnxExportError(f"could not export {model} to ONNX ({type(exc).__name__}: {exc})") from exc
    return name
