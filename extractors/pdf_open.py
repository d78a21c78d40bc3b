"""Open an untrusted PDF with pdfplumber; every failure becomes one named error with a reason.

Shared by the decree and report PDF readers: pdfplumber raises PdfminerException at open for
encrypted, truncated and non-PDF files, and arbitrary exceptions from broken page trees.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pdfplumber
from pdfplumber.utils.exceptions import PdfminerException

from core.errors import PlanwatchError

ENCRYPTED_REASON = "encrypted PDF — a password is required to read it"


@contextmanager
def open_pdf(path: Path, error: type[PlanwatchError]) -> Iterator[pdfplumber.PDF]:
    """Yield the open PDF; failures at open or while reading raise `error(path, reason)`.
    Named planwatch errors raised inside pass through unchanged. The PDF is always closed."""
    try:
        pdf = pdfplumber.open(path)
    except PdfminerException as err:
        raise error(path, open_failure(err)) from err
    except Exception as err:  # any parser failure on untrusted bytes means "corrupt"
        raise error(path, f"corrupt PDF ({why(err)})") from err
    try:
        yield pdf
    except PlanwatchError:
        raise
    except Exception as err:  # the page tree itself is broken
        raise error(path, f"corrupt PDF ({why(err)})") from err
    finally:
        pdf.close()


def open_failure(err: PdfminerException) -> str:
    cause = repr(err.args[0]) if err.args else ""
    if "Password" in cause or "Encrypt" in cause:
        return ENCRYPTED_REASON
    return f"corrupt, truncated or not a PDF ({cause or type(err).__name__})"


def why(err: Exception) -> str:
    """An exception as a short single line for a one-line error message."""
    text = " ".join(str(err).split())[:160]
    return f"{type(err).__name__}: {text}" if text else type(err).__name__
