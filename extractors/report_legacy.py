"""Legacy and open office reports (.doc/.rtf/.odt → docx reader, .xls/.ods → xlsx reader).

Claimed by content (`office_sniff`): an OLE file with a Word or Excel stream, RTF, an
OpenDocument zip — whatever the name says. LibreOffice converts a private copy
(`extractors.convert`); the converted file then passes the same guards as any upload (size
here, zip bomb in the OOXML reader) before it is read. The Document keeps the original's
name; the archive keeps the original's bytes (the conversion is only a cache entry).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from core.errors import UnreadableReport
from core.model import Document
from extractors import report_docx, report_xlsx
from extractors.convert import (
    ConversionError,
    ConvertSettings,
    LibreOfficeMissing,
    convert_many,
    converted,
)
from extractors.office_sniff import sniff
from extractors.report_settings import ReaderSettings
from extractors.report_zip import zip_infos

SUFFIXES = (".doc", ".rtf", ".odt", ".xls", ".ods")


def can_read(path: Path, head: bytes) -> bool:
    """Word/Excel 97, RTF and OpenDocument files; OLE files that are encrypted OOXML or too
    damaged to tell (refused by read() with that reason, whatever their name)."""
    kind = sniff(path, head)
    return kind is not None and (
        kind.target is not None or kind.encrypted or kind.name == "corrupt-ole"
    )


def prepare(paths: Sequence[Path], settings: ReaderSettings | None = None) -> list[Path]:
    """Convert every legacy file among `paths` into the conversion cache, one LibreOffice
    run per target format (a batch pays LibreOffice's start-up once: ~4x less CPU for five
    files). Needs `settings.convert_cache`; returns the files left for `read` to convert
    alone (any failure is judged there, file by file)."""
    settings = ReaderSettings.resolve(settings)
    if settings.convert_cache is None:
        raise ValueError("prepare fills the conversion cache: set ReaderSettings.convert_cache")
    by_target: dict[str, list[Path]] = {}
    for path in paths:
        try:
            with open(path, "rb") as handle:
                kind = sniff(Path(path), handle.read(2048))
        except OSError:
            continue
        if kind is not None and kind.target is not None and not kind.encrypted:
            by_target.setdefault(kind.target, []).append(Path(path))
    convert = ConvertSettings(timeout=settings.convert_timeout, cache_dir=settings.convert_cache)
    return [p for target, group in by_target.items() for p in convert_many(group, target, convert)]


def read(path: Path, settings: ReaderSettings | None = None) -> Document:
    settings = ReaderSettings.resolve(settings)
    with path.open("rb") as handle:
        kind = sniff(path, handle.read(2048))
    if kind is not None and kind.name == "corrupt-ole":
        raise UnreadableReport(path, "corrupt legacy Office file (its OLE directory is damaged)")
    if kind is None or (kind.target is None and not kind.encrypted):
        raise UnreadableReport(path, "not a legacy or OpenDocument office file")
    if kind.encrypted:
        what = kind.label if kind.target is None else f"password-protected (encrypted) {kind.label}"
        raise UnreadableReport(path, f"{what} — save it without a password")
    convert = ConvertSettings(timeout=settings.convert_timeout, cache_dir=settings.convert_cache)
    try:
        with converted(path, kind.target, convert) as result:
            document = _read_converted(path, result, kind.target, settings)
    except LibreOfficeMissing:
        raise  # not the file's fault: ingest records `failed` and reads it again once installed
    except ConversionError as err:  # it failed or hung on this file: a verdict, with the reason
        raise UnreadableReport(path, f"{kind.label}: {err.reason}") from err
    metadata = {**document.metadata, "converted_from": kind.name}
    return replace(document, source=path.name, metadata=metadata)


def _check_expansion(path: Path, result: Path, settings: ReaderSettings) -> None:
    """A conversion bomb: an .ods of a few hundred bytes can say "this row, 20,000 times"
    and come out as megabytes of cells. The converted members' declared sizes are judged
    against the ORIGINAL's size, with the zip-bomb ratio (the OOXML reader then checks the
    converted container itself)."""
    inflated = sum(info.file_size for info in zip_infos(result))
    ratio = inflated / max(path.stat().st_size, 1)
    if inflated >= settings.ratio_floor_bytes and ratio > settings.max_zip_ratio:
        raise UnreadableReport(
            path,
            f"zip bomb suspected: converted, it inflates to {inflated:,} bytes ({ratio:.0f}:1)",
        )


def _read_converted(path: Path, result: Path, target: str, settings: ReaderSettings) -> Document:
    """The OOXML reader on the conversion, its refusals reworded to name the original."""
    size = result.stat().st_size
    if size > settings.max_bytes:
        raise UnreadableReport(
            path,
            f"converted file too large ({size:,} bytes, limit {settings.max_bytes:,})",
        )
    _check_expansion(path, result, settings)
    reader = report_docx if target == "docx" else report_xlsx
    try:
        return reader.read(result, settings)
    except UnreadableReport as err:
        reason = err.reason.replace(str(result), path.name)  # never the temp path
        raise UnreadableReport(path, f"after conversion to .{target}: {reason}") from err
