"""Parse DfE guidance (PDF, GOV.UK HTML, markdown, text) into citable passages."""

from ingest.models import STATUS_LABELS, DocStatus, DocumentMeta, ParsedDocument, Passage

__all__ = ["STATUS_LABELS", "DocStatus", "DocumentMeta", "ParsedDocument", "Passage"]
