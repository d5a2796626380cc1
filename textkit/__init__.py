"""The text toolkit every layer shares: sentences, whitespace, stopwords and the domain vocabulary.

It imports nothing else of the project, so ingest, index and assistant read text the same way.
"""

from textkit.sentences import clean_unit, is_list_item, list_item_body, list_markers, normalise, split_units
from textkit.space import collapse_space, fold_for_match
from textkit.stopwords import STOPWORDS
from textkit.vocabulary import Vocabulary, VocabularyError, vocabulary
from textkit.words import content_words, light_stem, raw_words, vocab_tokens

__all__ = [
    "STOPWORDS",
    "Vocabulary",
    "VocabularyError",
    "clean_unit",
    "collapse_space",
    "content_words",
    "fold_for_match",
    "is_list_item",
    "light_stem",
    "list_item_body",
    "list_markers",
    "normalise",
    "raw_words",
    "split_units",
    "vocab_tokens",
    "vocabulary",
]
