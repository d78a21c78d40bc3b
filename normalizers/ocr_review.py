"""OCR doubt → review: entries read from low-confidence OCR text are never silently trusted.

A scanned report's Document carries OCR confidence per table row (`Table.row_confidence`)
and per paragraph (`Paragraph.confidence`). An entry whose row or paragraph was read below
the threshold gets a `review_reason` (and its confidence capped by the OCR's), and the
report gets one review problem naming those entries, so it lands in needs_review.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from core.model import Document, Entry

OCR_REVIEW_CONFIDENCE = 0.60  # below this (0..1) an OCR'd row or line needs a person's eye


def location_confidence(doc: Document) -> dict[str, float]:
    """OCR confidence by entry location ("page 1 row 3", "page 2 line 5"); {} without OCR."""
    if not doc.ocr:
        return {}
    found = {p.location: p.confidence for p in doc.paragraphs if p.confidence is not None}
    for table in doc.tables:
        found.update(zip(table.row_locations, table.row_confidence, strict=False))
    return found


def flag_low_confidence(
    entries: Sequence[Entry], doc: Document, threshold: float = OCR_REVIEW_CONFIDENCE
) -> tuple[tuple[Entry, ...], list[str]]:
    """Entries with OCR doubt marked for review, and the report-level problems (0 or 1)."""
    confidence = location_confidence(doc)
    if not confidence:
        return tuple(entries), []
    out, doubtful = [], []
    for entry in entries:
        ocr = confidence.get(entry.location)
        if ocr is None or ocr >= threshold:
            out.append(entry)
            continue
        reason = f"OCR read this entry with low confidence ({ocr:.0%}); check it against the scan"
        out.append(
            replace(
                entry,
                confidence=min(entry.confidence, ocr),
                review_reason="; ".join(r for r in (entry.review_reason, reason) if r),
            )
        )
        doubtful.append(entry.location)
    if not doubtful:
        return tuple(out), []
    where = ", ".join(doubtful[:3]) + (" …" if len(doubtful) > 3 else "")
    count = f"{len(doubtful)} entr{'y' if len(doubtful) == 1 else 'ies'}"
    return tuple(out), [f"{count} read by OCR with low confidence ({where})"]
