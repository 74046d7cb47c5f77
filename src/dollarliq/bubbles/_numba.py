"""Numba shim: ``jit`` and ``prange`` with a plain-Python fallback.

Follows arch's ``compat/numba.py``: without numba the kernels still run, as
plain Python, and the first call warns with :class:`PerformanceWarning`.
"""

from __future__ import annotations

import functools
import warnings
from typing import Any, Callable


class PerformanceWarning(UserWarning):
    """Numba is not available; the slow plain-Python kernels are used."""


try:  # pragma: no cover - exercised by the presence of numba
    from numba import get_num_threads, jit as _numba_jit, prange, set_num_threads

    HAS_NUMBA = True
except ImportError:  # pragma: no cover
    HAS_NUMBA = False
    prange = range

    def get_num_threads() -> int:
        return 1

    def set_num_threads(n: int) -> None:
        return None


_MESSAGE = (
    "numba is not installed: dollarliq.bubbles runs its plain-Python kernels, "
    "which are orders of magnitude slower. Install numba to avoid this."
)


def jit(func: Callable[..., Any] | None = None, **kwargs: Any) -> Any:
    """Compile ``func`` with numba (nopython, cached) or wrap it with a warning."""

    def decorate(f: Callable[..., Any]) -> Callable[..., Any]:
        if HAS_NUMBA:
            opts = {"nopython": True, "cache": True, "error_model": "numpy"}
            opts.update(kwargs)
            return _numba_jit(**opts)(f)

        @functools.wraps(f)
        def wrapper(*args: Any, **kw: Any) -> Any:
            warnings.warn(_MESSAGE, PerformanceWarning, stacklevel=2)
            return f(*args, **kw)

        return wrapper

    if func is not None:
        return decorate(func)
    return decorate
