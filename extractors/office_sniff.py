"""What kind of office file this is, from its bytes: the registry's content sniffing.

An OLE2 compound file (`D0 CF 11 E0`) is a Word 97 document (a `WordDocument` stream), an
Excel 97 workbook (`Workbook`, or `Book` for Excel 5), a password-protected OOXML file
(`EncryptedPackage`: Office wraps an encrypted .docx/.xlsx this way) or something else
(PowerPoint, Outlook). olefile reads only the directory; no stream is parsed beyond the
first bytes that carry the "encrypted" flag. RTF starts with `{\\rtf`; an OpenDocument
file is a zip whose `mimetype` member names its kind.
"""

from __future__ import annotations

import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import olefile

from extractors.report_zip import OLE_MAGIC, ZIP_MAGIC

ODF_MIMETYPES = {
    "application/vnd.oasis.opendocument.text": ("odt", "docx"),
    "application/vnd.oasis.opendocument.text-template": ("ott", "docx"),
    "application/vnd.oasis.opendocument.spreadsheet": ("ods", "xlsx"),
    "application/vnd.oasis.opendocument.spreadsheet-template": ("ots", "xlsx"),
}
_MAX_MIMETYPE_BYTES = 200
_FILEPASS = 0x002F  # the BIFF8 record that marks an encrypted workbook
_BIFF_RECORDS_SCANNED = 64  # FILEPASS follows BOF within the first few records


@dataclass(frozen=True)
class Kind:
    """`name`: doc, xls, rtf, odt, ods, encrypted-ooxml, ole-other, corrupt-ole.

    `target` is the OOXML format a converter should produce ("docx"/"xlsx"), None when the
    file is not to be converted; `encrypted` for a password-protected file."""

    name: str
    target: str | None = None
    encrypted: bool = False

    @property
    def label(self) -> str:
        return LABELS.get(self.name, self.name)


LABELS = {
    "doc": "Word 97-2003 document (.doc)",
    "xls": "Excel 97-2003 workbook (.xls)",
    "rtf": "RTF document",
    "odt": "OpenDocument text (.odt)",
    "ott": "OpenDocument text template (.ott)",
    "ods": "OpenDocument spreadsheet (.ods)",
    "ots": "OpenDocument spreadsheet template (.ots)",
    "encrypted-ooxml": "password-protected (encrypted) Office file",
    "ole-other": "an Office file that is neither Word nor Excel (PowerPoint, Outlook, ...)",
    "corrupt-ole": "a damaged legacy Office file",
}


def sniff(path: Path, head: bytes) -> Kind | None:
    """The kind of a legacy, open or encrypted office file; None for anything else."""
    if head.startswith(OLE_MAGIC):
        return ole_kind(path)
    if head.lstrip(b"\xef\xbb\xbf \t\r\n")[:5] == b"{\\rtf":
        return Kind("rtf", "docx")
    if head.startswith(ZIP_MAGIC):
        mimetype = odf_mimetype(path, head)
        if mimetype in ODF_MIMETYPES:
            name, target = ODF_MIMETYPES[mimetype]
            return Kind(name, target)
    return None


def ole_kind(path: Path) -> Kind:
    try:
        with olefile.OleFileIO(str(path)) as ole:
            if ole.exists("EncryptedPackage"):
                return Kind("encrypted-ooxml", encrypted=True)
            if ole.exists("WordDocument"):
                return Kind("doc", "docx", _word_encrypted(ole))
            for stream in ("Workbook", "Book"):
                if ole.exists(stream):
                    return Kind("xls", "xlsx", _excel_encrypted(ole, stream))
            return Kind("ole-other")
    except Exception:  # olefile raises many types on damaged directories
        return Kind("corrupt-ole")


def _word_encrypted(ole: olefile.OleFileIO) -> bool:
    """FIB flag fEncrypted (bit 8 of the word at offset 0x0A of the WordDocument stream)."""
    fib = ole.openstream("WordDocument").read(12)
    return len(fib) == 12 and bool(struct.unpack_from("<H", fib, 10)[0] & 0x0100)


def _excel_encrypted(ole: olefile.OleFileIO, stream: str) -> bool:
    """A FILEPASS record among the workbook stream's first records."""
    data = ole.openstream(stream).read(8192)
    offset = 0
    for _ in range(_BIFF_RECORDS_SCANNED):
        if offset + 4 > len(data):
            return False
        record, length = struct.unpack_from("<HH", data, offset)
        if record == _FILEPASS:
            return True
        offset += 4 + length
    return False


def odf_mimetype(path: Path, head: bytes) -> str | None:
    """The `mimetype` member of an OpenDocument zip (stored first and uncompressed by the
    standard; other writers may compress it, so the central directory is the fallback)."""
    if head[30:38] == b"mimetype":
        start = 30 + 8 + struct.unpack_from("<H", head, 28)[0]
        size = struct.unpack_from("<I", head, 18)[0]
        if struct.unpack_from("<H", head, 8)[0] == 0 and size <= _MAX_MIMETYPE_BYTES:
            return head[start : start + size].decode("ascii", "replace").strip()
    try:
        with zipfile.ZipFile(path) as archive:
            info = archive.getinfo("mimetype")
            if info.file_size > _MAX_MIMETYPE_BYTES:
                return None
            return archive.read(info).decode("ascii", "replace").strip()
    except (KeyError, zipfile.BadZipFile, OSError, ValueError, EOFError, RuntimeError, zlib.error):
        return None
