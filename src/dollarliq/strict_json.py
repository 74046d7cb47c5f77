"""Strict JSON: the one serialiser of every JSON document dollarliq emits.

The command line (``--format json``), the HTTP API and the MCP tools write their documents
through :func:`dumps` (or hand :func:`clean` documents to the MCP SDK). A value that is not
available is ``null``, never ``NaN`` or ``Infinity``, which strict parsers (JavaScript's
``JSON.parse``, ``jq``, Go, Rust) reject. :func:`clean` turns NaN and infinities into
``None`` and NumPy and pandas scalars into plain Python values; :func:`dumps` then
serialises with ``allow_nan=False``, so anything :func:`clean` missed fails loudly instead
of printing invalid JSON.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from typing import Any


def clean(obj: Any) -> Any:
    """A copy of ``obj`` that strict JSON can hold.

    Parameters
    ----------
    obj : Any
        dicts, lists, tuples, str, int, float, bool, None, NumPy scalars, dates and pandas
        Timestamps (nested).

    Returns
    -------
    Any
        The same structure with NaN, +inf and -inf as ``None``, NumPy numbers as ``int`` /
        ``float`` / ``bool``, dates as ISO strings (``YYYY-MM-DD``; a pandas Timestamp at
        midnight also as a date, otherwise ISO date and time) and tuples as lists. Types it
        does not know are returned unchanged (the serialiser then refuses them).
    """
    if obj is None or isinstance(obj, (str, bool)):
        return obj
    if isinstance(obj, int):
        return int(obj)
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [clean(v) for v in obj]
    if isinstance(obj, dt.datetime):  # includes pandas.Timestamp
        if obj != obj:  # NaT
            return None
        if (obj.hour, obj.minute, obj.second, obj.microsecond) == (0, 0, 0, 0):
            return obj.strftime("%Y-%m-%d")
        return obj.isoformat()
    if isinstance(obj, dt.date):
        return obj.isoformat()
    kind = type(obj).__module__.split(".")[0]
    if kind == "numpy":
        import numpy as np

        if isinstance(obj, np.bool_):
            return bool(obj)
        if isinstance(obj, np.integer):
            return int(obj)
        if isinstance(obj, np.floating):
            return clean(float(obj))
        if isinstance(obj, np.datetime64):
            return None if np.isnat(obj) else clean(dt.datetime.fromisoformat(str(obj)[:26]))
        if isinstance(obj, np.ndarray):
            return [clean(v) for v in obj.tolist()]
    if kind == "pandas" and type(obj).__name__ in ("NaTType", "NAType"):
        return None
    return obj


def dumps(obj: Any, *, indent: int | None = None, ensure_ascii: bool = False) -> str:
    """``obj`` as strict JSON text (:func:`clean`, then ``json.dumps(allow_nan=False)``).

    Raises
    ------
    ValueError
        A non-finite float survived :func:`clean` (it cannot: a bug).
    TypeError
        A value of a type JSON cannot hold.
    """
    return json.dumps(clean(obj), ensure_ascii=ensure_ascii, indent=indent, allow_nan=False)


def _refuse(name: str) -> Any:
    raise ValueError(f"not strict JSON: {name}")


def loads(text: str | bytes) -> Any:
    """Parse strict JSON: ``NaN``, ``Infinity`` and ``-Infinity`` raise ValueError (the check
    the tests apply to every document)."""
    return json.loads(text, parse_constant=_refuse)
