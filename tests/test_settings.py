"""Every settings dataclass resolves None, an instance or a mapping the same way."""

from __future__ import annotations

import pytest

from core.errors import ConfigError
from extractors.decree_pdf import PdfSettings
from extractors.ocr import OcrSettings
from extractors.report_settings import ReaderSettings
from ledger.inbox import InboxSettings
from outputs.compliance_settings import ComplianceSettings

SETTINGS = (PdfSettings, OcrSettings, ReaderSettings, InboxSettings, ComplianceSettings)


@pytest.mark.parametrize("cls", SETTINGS, ids=lambda c: c.__name__)
def test_resolve_accepts_none_instance_and_mapping(cls):
    assert cls.resolve(None) == cls()
    given = cls()
    assert cls.resolve(given) is given
    assert cls.resolve({}) == cls()


@pytest.mark.parametrize("cls", SETTINGS, ids=lambda c: c.__name__)
def test_a_misspelt_key_is_named_not_ignored(cls):
    with pytest.raises(ConfigError, match="misspelt"):
        cls.resolve({"misspelt": 1})


def test_a_mapping_value_is_used_and_validated():
    assert InboxSettings.resolve({"settle_seconds": 0.5}).settle_seconds == 0.5
    with pytest.raises(ValueError):
        InboxSettings.resolve({"settle_seconds": -1})
