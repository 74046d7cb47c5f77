"""Computed results kept as files in the cache folder (:func:`dollarliq.paths.cache_dir`).

Entries that can be recomputed (simulated critical values, bubble-scan results) live here,
not in the store: writing one never takes the store's writer lock, and reading one never
opens the store. Each entry is one file, written under a temporary name and renamed into
place, so a reader sees the old entry or the new one, never half of one. The folder is safe
to delete; an entry that cannot be written is skipped (it is computed again next time).
"""

from __future__ import annotations

import hashlib
import os
import re
from pathlib import Path

from dollarliq.paths import cache_dir


def entry_path(namespace: str, key: str, *, folder: Path | None = None,
               suffix: str = ".bin") -> Path:
    """The file of ``key`` in ``namespace`` (a sub-folder of the cache folder)."""
    ns = re.sub(r"[^A-Za-z0-9_.-]", "_", namespace)
    digest = hashlib.sha256(key.encode()).hexdigest()[:40]
    return (folder or cache_dir()) / ns / f"{digest}{suffix}"


def get(namespace: str, key: str, *, folder: Path | None = None,
        suffix: str = ".bin") -> bytes | None:
    """The payload kept under (namespace, key), or None."""
    try:
        return entry_path(namespace, key, folder=folder, suffix=suffix).read_bytes()
    except OSError:
        return None


def put(namespace: str, key: str, payload: bytes, *, folder: Path | None = None,
        suffix: str = ".bin") -> Path | None:
    """Keep ``payload`` under (namespace, key), replacing an older one atomically; the
    file's path, or None when it could not be written (full disk, read-only folder)."""
    p = entry_path(namespace, key, folder=folder, suffix=suffix)
    tmp = p.with_name(f".{p.name}.{os.getpid()}.tmp")
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(payload)
        os.replace(tmp, p)
        return p
    except OSError:
        try:
            tmp.unlink()
        except OSError:
            pass
        return None
