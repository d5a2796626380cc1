"""What is embedded and keyword-indexed for a passage (shared by ingest, search and the keyword index)."""

from __future__ import annotations

from ingest.models import Passage

__all__ = ["embedding_text", "is_footnote"]


def is_footnote(passage: Passage) -> bool:
    """Footnote passages hold references and asides; they rank a little below body text."""
    return passage.text.startswith("Footnote ")


def embedding_text(passage: Passage) -> str:
    """What is embedded and keyword-indexed for a passage: its own heading, then its text."""
    if not passage.section_path or is_footnote(passage):
        return passage.text
    return f"{passage.section_path[-1]}: {passage.text}"
