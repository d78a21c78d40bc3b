"""One way to accept a component's settings: None (defaults), an instance, or a mapping.

Every settings dataclass (`PdfSettings`, `ReaderSettings`, `OcrSettings`, `InboxSettings`,
`ComplianceSettings`) resolves through here, so a mapping with a misspelt key fails the same
way everywhere: a ConfigError naming the unknown keys, never a silent default.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import fields
from typing import Any, TypeVar

from core.errors import ConfigError

S = TypeVar("S")


def resolve_settings(cls: type[S], value: S | Mapping[str, Any] | None, label: str = "") -> S:
    if value is None:
        return cls()
    if isinstance(value, cls):
        return value
    unknown = set(value) - {f.name for f in fields(cls)}  # type: ignore[arg-type]
    if unknown:
        raise ConfigError(None, f"unknown {label or cls.__name__} settings: {sorted(unknown)}")
    return cls(**value)
