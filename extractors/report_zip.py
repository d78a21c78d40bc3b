"""Inspect an OOXML (xlsx/docx) container before any parser opens it.

openpyxl and python-docx inflate members without limits, so a zip bomb would exhaust memory
inside them. Here the central directory alone is read (no member is inflated) and every
member's declared size and compression ratio is checked. zipfile itself refuses to inflate
past a member's declared size, so the declared sizes are binding.
"""

from __future__ import annotations

import re
import zipfile
import zlib
from pathlib import Path

from core.errors import UnreadableReport
from extractors.report_settings import ReaderSettings

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # password-protected OOXML, or legacy .xls/.doc
# Signatures of formats some reader claims by content; a suffix is only a hint without them.
KNOWN_MAGICS = (ZIP_MAGIC, OLE_MAGIC, b"%PDF", b"\x89PNG", b"\xff\xd8\xff", b"II*\x00", b"MM\x00*")


# Declared entities can hide or replace text (XXE, billion laughs): such a file is not read.
ENTITIES_REASON = "the file declares XML entities (not read: they can hide or replace text)"
XML_PROLOG_BYTES = 64 * 1024  # the XML declaration, comments and a DOCTYPE come before this
_DECLARATION = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
_ROOT_TAG = re.compile(rb"<[A-Za-z_]")


def has_known_magic(head: bytes) -> bool:
    return head.startswith(KNOWN_MAGICS) or b"%PDF" in head[:1024]


def zip_names(path: Path) -> list[str] | None:
    """Member names of a zip archive, or None if the central directory cannot be read."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.namelist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return None


def zip_infos(path: Path) -> list[zipfile.ZipInfo]:
    """The central directory's entries, or [] if it cannot be read (check_zip says why)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return []


def check_zip(path: Path, settings: ReaderSettings) -> None:
    """Raise UnreadableReport for a corrupt archive or one that would inflate too far."""
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise UnreadableReport(
            path, f"corrupt or truncated file (not a readable zip: {err})"
        ) from err
    if len(infos) > settings.max_zip_members:
        raise UnreadableReport(path, f"zip bomb suspected: {len(infos)} members")
    total = sum(info.file_size for info in infos)
    if total > settings.max_unzipped_bytes:
        raise UnreadableReport(
            path,
            f"zip bomb suspected: members inflate to {total:,} bytes (limit {settings.max_unzipped_bytes:,})",
        )
    for info in infos:
        if info.file_size < settings.ratio_floor_bytes:
            continue
        ratio = info.file_size / max(info.compress_size, 1)
        if ratio > settings.max_zip_ratio:
            raise UnreadableReport(
                path, f"zip bomb suspected: member {info.filename} compresses {ratio:.0f}:1"
            )
    refuse_xml_entities(path, infos)


def refuse_xml_entities(path: Path, infos: list[zipfile.ZipInfo]) -> None:
    """Raise UnreadableReport when an XML part declares a DOCTYPE or entities.

    Office never writes them. python-docx parses without resolving entities, so an entity
    used in a paragraph silently drops that run's text (the letter date vanished in a test);
    defusedxml under openpyxl refuses them with a parser error. Either way the reason
    should say what is true. A declaration can only stand before the root element, so the
    first bytes of each part are enough; a damaged member is left for the parser to call
    corrupt."""
    try:
        with zipfile.ZipFile(path) as archive:
            for info in infos:
                if not info.filename.lower().endswith((".xml", ".rels", ".vml")):
                    continue
                with archive.open(info) as member:
                    head = member.read(XML_PROLOG_BYTES).replace(b"\x00", b"")  # UTF-16 too
                root = _ROOT_TAG.search(head)
                if _DECLARATION.search(head, 0, root.start() if root else len(head)) or (
                    root is None and len(head) >= XML_PROLOG_BYTES // 2
                ):
                    raise UnreadableReport(path, f"{ENTITIES_REASON} ({info.filename})")
    except (zipfile.BadZipFile, zlib.error, OSError, ValueError, EOFError):
        return
