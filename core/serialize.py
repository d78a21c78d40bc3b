"""Reversible JSON for the shared model: what the ledger stores and the flows pass around.

One generic pair walks the dataclasses by their type hints, so a field added to
`core.model` (with a default, as the house rules ask) is serialized without touching this
file, and JSON written before the field existed still loads (the default fills it).

- `plan_to_json(plan) -> str` / `plan_from_json(text) -> Plan`
- `report_to_dict(report) -> dict` / `report_from_dict(data) -> Report`
- `to_data(obj)` / `from_data(cls, data)` for any other model dataclass.

Values: dates and datetimes as ISO 8601 strings, tuples and lists as JSON arrays, enums as
their string value (the model types those fields `str`, so `"completed" == Status.COMPLETED`
still holds after a round trip), `Period` as `{"year": 2019, "half": 1}`.
"""

from __future__ import annotations

import json
import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import fields, is_dataclass
from datetime import date, datetime
from typing import Any, TypeVar, get_args, get_origin, get_type_hints

from core.model import Plan, Report
from core.once import once

T = TypeVar("T")


def to_data(obj: Any) -> Any:
    """A model value as plain JSON-able data (dicts, lists, str, int, float, bool, None)."""
    if is_dataclass(obj) and not isinstance(obj, type):
        return {f.name: to_data(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, date):  # datetime is a date too: both have isoformat()
        return obj.isoformat()
    if isinstance(obj, str):
        return str(obj)  # a StrEnum member becomes its plain value
    if isinstance(obj, Mapping):
        return {str(k): to_data(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [to_data(v) for v in obj]
    return obj


def from_data(cls: type[T], data: Any) -> T:
    """Rebuild a model dataclass from `to_data` output; unknown keys are ignored."""
    return _decoder(cls)(data)


Decoder = Callable[[Any], Any]


@once
def _decoder(tp: Any) -> Decoder:
    """The decoding function for type `tp`, built once per type: a plan has ~40,000 values,
    and asking `typing` about each value's type every time costs more than the decoding."""
    decode = _build_decoder(tp)
    return lambda data: None if data is None else decode(data)


def _build_decoder(tp: Any) -> Decoder:
    origin, args = get_origin(tp), get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _decoder(inner[0]) if len(inner) == 1 else _identity
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            item = _decoder(args[0])
            return lambda data: tuple(item(v) for v in data)
        items = [_decoder(a) for a in args]
        return lambda data: tuple(d(v) for d, v in zip(items, data, strict=True))
    if origin is list:
        item = _decoder(args[0])
        return lambda data: [item(v) for v in data]
    if origin in (dict, Mapping, typing.Mapping) or tp is dict:
        value = _decoder(args[1]) if args else _identity
        return lambda data: {k: value(v) for k, v in data.items()}
    if isinstance(tp, type) and is_dataclass(tp):
        return _dataclass_decoder(tp)
    return _SCALARS.get(tp, _identity)


def _dataclass_decoder(cls: type) -> Decoder:
    # Field decoders are looked up on first use, so a dataclass may refer to itself.
    hints = get_type_hints(cls)
    names = {f.name for f in fields(cls)}

    def decode(data: Mapping[str, Any]) -> Any:
        return cls(**{k: _decoder(hints[k])(v) for k, v in data.items() if k in names})

    return decode


def _identity(data: Any) -> Any:
    return data


def _float(data: Any) -> Any:
    return float(data) if isinstance(data, int) else data


_SCALARS: dict[Any, Decoder] = {
    datetime: datetime.fromisoformat,
    date: date.fromisoformat,
    float: _float,
}


def plan_to_json(plan: Plan) -> str:
    """The whole plan (normalized fields included) as compact UTF-8 JSON text."""
    return json.dumps(to_data(plan), ensure_ascii=False, separators=(",", ":"))


def plan_from_json(text: str) -> Plan:
    """Inverse of `plan_to_json`: `plan_from_json(plan_to_json(p)) == p`."""
    return from_data(Plan, json.loads(text))


def report_to_dict(report: Report) -> dict[str, Any]:
    """A Report (with its entries) as JSON-able data; inverse: `report_from_dict`."""
    return to_data(report)


def report_from_dict(data: Mapping[str, Any]) -> Report:
    return from_data(Report, dict(data))
