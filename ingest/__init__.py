"""Parse DfE guidance (PDF, GOV.UK HTML, markdown, text) into citable passages."""

from ingest.errors import IngestError
from ingest.manifest import SourceManifest
from ingest.models import STATUS_LABELS, DocStatus, DocumentMeta, DocumentVersion, ParsedDocument, Passage
from ingest.parse import SUPPORTED_SUFFIXES, parse_file, sha256_file
from ingest.tokens import count_tokens

__all__ = [
    "STATUS_LABELS",
    "SUPPORTED_SUFFIXES",
    "DocStatus",
    "DocumentMeta",
    "DocumentVersion",
    "IngestError",
    "ParsedDocument",
    "Passage",
    "SourceManifest",
    "count_tokens",
    "parse_file",
    "sha256_file",
]
