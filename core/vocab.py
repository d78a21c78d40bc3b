"""Load versioned vocabulary files (YAML) that live next to the code that reads them.

Vocabularies — agency registry, status words, deadline grammar, header words, workbook
labels — are data, validated when loaded, so a broken edit fails loudly with the file name.
"""

from __future__ import annotations

from collections.abc import Callable
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from core.errors import VocabularyError
from core.once import once

# libyaml's safe loader when PyYAML was built with it (the wheels are): the same documents,
# ~10x faster — the vocabularies are loaded at every start.
SAFE_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def data_path(package: str, name: str) -> Path:
    """Path of a data file shipped inside `package`'s `data/` folder."""
    return Path(str(resources.files(package).joinpath("data", name)))


@once
def _load(path: Path) -> Any:
    try:
        return yaml.load(path.read_text(encoding="utf-8"), Loader=SAFE_LOADER)
    except FileNotFoundError as err:
        raise VocabularyError(path, "vocabulary file not found") from err
    except yaml.YAMLError as err:
        raise VocabularyError(path, f"not valid YAML: {err}") from err


def load_vocab(package: str, name: str, validate: Callable[[Any], str | None] | None = None) -> Any:
    """Load `package/data/name`; `validate` returns an error message or None."""
    path = data_path(package, name)
    data = _load(path)
    problem = validate(data) if validate else None
    if problem:
        raise VocabularyError(path, problem)
    return data
