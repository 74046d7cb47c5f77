"""The shared core of the use cases: store access, the one as-of rule, argument checks,
the engine call, the report cache and the :class:`Report` result.

Every use-case module of :mod:`dollarliq.api` builds on these; nothing here prints.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from dollarliq.bubbles import DEFAULT_LPPLS_FILTER
from dollarliq.catalog import CORE_IDS  # noqa: F401 - re-exported (api.CORE_IDS)
from dollarliq.dates import default_as_of
from dollarliq.errors import NotEnoughData, StoreError, UsageError, shown

if TYPE_CHECKING:  # pandas and the engine load on first use, not on ``import dollarliq``
    import pandas as pd

    from dollarliq.frame import Rows
    from dollarliq.store import Store

DEFAULT_WINDOW = 504  # daily closes in a bubble test (two years)
MIN_WINDOW = 60  # the fewest closes a bubble test accepts
MAX_REPS = 100_000  # Monte Carlo replications


# ----------------------------------------------------------------------------- store access

def home_path(home: str | Path | None = None) -> Path:
    """The folder of the user store: ``home``, else ``$DOLLARLIQ_HOME``, else the platform's
    user data folder. StoreError when that path exists and is not a folder."""
    from dollarliq.paths import check_home, default_home

    if home is not None and not isinstance(home, (str, Path)):
        raise UsageError(f"home {shown(home)}: a folder path (str or Path), not "
                         f"{type(home).__name__}")
    return check_home(Path(home).expanduser() if home is not None else default_home())


def check_store(store: Any) -> None:
    """``store`` is None or an open :class:`~dollarliq.store.Store`; UsageError naming the
    argument otherwise (``store="path"`` is a common slip: the folder goes in ``home=``)."""
    import sys

    mod = sys.modules.get("dollarliq.store")  # a Store exists only once its module loaded
    if store is None or (mod is not None and isinstance(store, mod.Store)):
        return
    hint = " (a folder goes in home=)" if isinstance(store, (str, Path)) else ""
    raise UsageError(f"store {shown(store)}: an open dollarliq.store.Store, not "
                     f"{type(store).__name__}{hint}")


def check_text(value: Any, what: str, example: str) -> str:
    """A non-empty text argument (a series id, a ticker), stripped; UsageError naming
    ``what`` when it is another type or empty."""
    if not isinstance(value, str):
        raise UsageError(f"{what} {shown(value)}: a text such as {example!r}, not "
                         f"{type(value).__name__}")
    if not value.strip():
        raise UsageError(f"{what}: empty; give one such as {example!r}")
    return value.strip()


def check_texts(values: Any, what: str, example: str, *,
                skip_blank: bool = False, allow_empty: bool = False) -> list[str]:
    """A list of non-empty texts from one text or a sequence of them; UsageError naming
    ``what`` for None, a number, a mapping or an empty sequence (``skip_blank``: blank
    entries are left out rather than refused; ``allow_empty``: an empty sequence is
    accepted)."""
    if isinstance(values, str):
        return [check_text(values, what, example)]
    if values is None or isinstance(values, (bytes, dict)) or not hasattr(values, "__iter__"):
        raise UsageError(f"{what} {shown(values)}: a list of texts such as [{example!r}], "
                         f"not {type(values).__name__}")
    values = list(values)
    if skip_blank:
        values = [v for v in values if not (isinstance(v, str) and not v.strip())]
    out = [check_text(v, what, example) for v in values]
    if not out and not allow_empty:
        raise UsageError(f"{what}: give at least one, e.g. [{example!r}]")
    return out


def check_lang(lang: Any) -> str:
    """The language of a use case: ``en`` or ``zh`` (None: ``DOLLARLIQ_LANG`` or English);
    UsageError otherwise, as the command line (exit code 2) and the server (422) answer."""
    from dollarliq.messages import LANGS, lang_from_env

    if lang is None:
        return lang_from_env(None)
    if not isinstance(lang, str) or lang.strip().lower() not in LANGS:
        raise UsageError(f"lang {shown(lang)!r}: choose {' or '.join(LANGS)}")
    return lang.strip().lower()


@contextmanager
def open_store(store: Store | None = None, home: str | Path | None = None, *,
               for_write: bool = False) -> Iterator[Store]:
    """The given ``store`` (left open), or the user store under ``home`` (closed after)."""
    check_store(store)
    if store is not None:
        yield store
        return
    from dollarliq.paths import STORE_FILENAME
    from dollarliq.store import open_store as _open

    path = home_path(home) / STORE_FILENAME
    try:
        s = _open(path, for_write=for_write)
    except OSError as exc:
        raise StoreError(f"cannot open the store {path}: {exc.strerror or exc}") from None
    try:
        yield s
    except Exception as exc:
        if type(exc).__module__.split(".")[0] == "duckdb":  # a damaged file, read midway
            raise StoreError(f"the store {path} cannot be read (damaged?): "
                             f"{' '.join(str(exc).split())[:160]}") from None
        raise
    finally:
        s.close()


def _read(store: Store, ids: Sequence[str]) -> Rows:
    from dollarliq.frame import read_rows

    return read_rows(store, ids)

# ----------------------------------------------------------------------------- as-of dates

def parse_as_of(as_of: Any, what: str = "as-of date") -> dt.date | None:
    """A date from a string (YYYY-MM-DD), date or Timestamp; UsageError when malformed."""
    from dollarliq.dates import parse_date

    if as_of is None:
        return None
    if hasattr(as_of, "to_pydatetime"):
        return as_of.to_pydatetime().date()
    return parse_date(as_of, what=what)


def resolve_as_of(rows: Rows, as_of: Any, *, core: Sequence[str] = CORE_IDS,
                  floor: Sequence[str] | None = None,
                  today: dt.date | None = None) -> pd.Timestamp:
    """The one as-of rule of every command.

    Parameters
    ----------
    rows : dollarliq.frame.Rows
        The rows read for the command (must include ``core``).
    as_of : str | date | Timestamp | None
        The requested date; None for the latest release date of the ``core`` series.
    core : sequence of str
        The series whose latest release is the default date and which must all be
        public on ``as_of``.
    floor : sequence of str, optional
        Instead of requiring every ``core`` series, accept any date on which at least
        one of these series was public (the gauges and tests, which need prices only).
    today : date, optional
        The current date (default: :func:`dollarliq.dates.today`, ``$DOLLARLIQ_TODAY`` or
        the UTC date); a later ``as_of`` is rejected, and the default date is never after
        the last business day on or before it (:func:`default_as_of`).

    Returns
    -------
    pandas.Timestamp
        The as-of date (midnight, no time zone).

    Raises
    ------
    NotEnoughData
        None of ``core`` has a value in the store.
    UsageError
        ``as_of`` is malformed, in the future, or before the ``core`` series were public.
    """
    import pandas as pd

    from dollarliq.dates import today as current_date

    d = parse_as_of(as_of)
    lasts = [rows.last_release[s] for s in core if s in rows.last_release]
    if not lasts:
        raise NotEnoughData(f"no data for {', '.join(core)}: run `dollarliq update`")
    data_end = max(rows.last_obs[s] for s in core if s in rows.last_obs)
    today = today or current_date()
    if d is None:
        d = default_as_of(max(lasts), today)
    elif d > today:
        raise UsageError(f"as-of date {d:%Y-%m-%d} is in the future (today is "
                         f"{today:%Y-%m-%d}; the data end on {data_end:%Y-%m-%d})")
    if floor is None:
        start = max(rows.first_public[s] for s in core if s in rows.first_public)
        why = f"when {', '.join(core)} were all public"
    else:
        firsts = [rows.first_public[s] for s in floor if s in rows.first_public]
        start = min(firsts) if firsts else pd.Timestamp.max
        why = "the first value of any input"
    if pd.Timestamp(d) < start:
        raise UsageError(f"as-of date {d:%Y-%m-%d} is before the data begin "
                         f"({start:%Y-%m-%d}, {why})")
    return pd.Timestamp(d)


def data_start(rows: Rows, core: Sequence[str] = CORE_IDS) -> pd.Timestamp:
    """The first day on which every ``core`` series had a public value."""
    import pandas as pd

    missing = [s for s in core if s not in rows.first_public]
    if missing:
        raise NotEnoughData(f"no data for {', '.join(missing)}: run `dollarliq update`")
    return pd.Timestamp(max(rows.first_public[s] for s in core))

# ----------------------------------------------------------------------------- the engine

def history_start(rows: Rows) -> pd.Timestamp:
    """The first day of the history replay: the first regime's start, or later when Fed
    assets or fed funds were first public later (``engine.HISTORY_CORE_IDS``)."""
    import pandas as pd

    from dollarliq.engine import HISTORY_CORE_IDS, HISTORY_START

    return max(pd.Timestamp(HISTORY_START), data_start(rows, HISTORY_CORE_IDS))


def _engine(rows: Rows, as_of: pd.Timestamp, rules: Any = None, *, history: bool = False):
    """Indicators and stages for every business day up to ``as_of`` (pure, from ``rows``);
    from :func:`history_start` with ``history``, else from :func:`data_start`."""
    from dollarliq.engine import compute
    from dollarliq.indicators import INPUT_IDS
    from dollarliq.stages import load_rules

    rs = rules if rules is not None and not isinstance(rules, (str, Path)) else load_rules(rules)
    long = rows.first_release(INPUT_IDS, as_of=as_of)
    start = history_start(rows) if history else data_start(rows)
    return compute(long, as_of=as_of, start=start, rules=rs)


def _engine_ids() -> list[str]:
    from dollarliq.indicators import INPUT_IDS

    return list(dict.fromkeys([*CORE_IDS, *INPUT_IDS]))


# ----------------------------------------------------------------------------- result shared by report, dashboard, watch

@dataclass(frozen=True)
class Report:
    """The liquidity report on one date (the document of ``dollarliq report --format json``).

    Attributes
    ----------
    doc : dict
        The JSON-ready document, valid against ``dollarliq/data/report.schema.json``.
    sparks : list of dict
        The last business days of the sparkline series (for the terminal page).
    engine : EngineResult | None
        The indicator panel and stage table it was computed from (None when the report
        came from the per-revision cache).
    history : EngineResult | None
        The 2003-2026 replay the ``history`` section was computed from (the dashboard's
        stage timeline); None when the report came from the cache or was made without it.
    """

    doc: dict[str, Any]
    sparks: list[dict[str, Any]] = field(default_factory=list, repr=False)
    engine: Any = field(default=None, repr=False, compare=False)
    history: Any = field(default=None, repr=False, compare=False)

    @property
    def stage(self) -> str:
        """The stage name: ample, tight, drained or crisis."""
        return self.doc["stage"]["name"]

    @property
    def level(self) -> int:
        """The stage level, 0 (ample) to 3 (crisis)."""
        return int(self.doc["stage"]["level"])

    @property
    def score(self) -> float | None:
        """The stress score, 0 (no stress) to 100; None when it cannot be computed."""
        v = self.doc["score"]["value"]
        return None if v is None else float(v)

    @property
    def as_of(self) -> dt.date:
        """The as-of date: only data public on this date were used."""
        return dt.date.fromisoformat(self.doc["as_of"])

    @property
    def evidence(self) -> list[dict[str, Any]]:
        """Each stage rule with its conditions, values (in their units) and whether met."""
        return self.doc["evidence"]

    @property
    def records(self) -> list[dict[str, Any]]:
        """Readings that are the highest or lowest since some date ("since" records)."""
        return self.doc["records"]

    @property
    def bubble(self) -> dict[str, Any]:
        """The tech-bubble gauges section (``bubble gauges --format json``)."""
        return self.doc.get("bubble", {})

    def to_dict(self) -> dict[str, Any]:
        """A deep copy of the JSON document (the CLI's ``report --format json``)."""
        return json.loads(self.to_json(None))

    def to_json(self, indent: int | None = 1) -> str:
        """The document as strict JSON text (UTF-8, non-ASCII kept; unavailable is null)."""
        from dollarliq.strict_json import dumps

        return dumps(self.doc, indent=indent)

    def to_frame(self) -> pd.DataFrame:
        """The indicators as a frame: one row per indicator id with name, unit, value,
        observation date and availability; ``attrs`` holds the as-of date, stage and score."""
        import pandas as pd

        df = pd.DataFrame(self.doc["indicators"]).set_index("id")
        df["obs_date"] = pd.to_datetime(df["obs_date"])
        df.attrs.update(as_of=self.doc["as_of"], stage=self.stage, level=self.level,
                        score=self.score)
        return df

    def __repr__(self) -> str:
        return (f"Report(as_of={self.doc['as_of']}, stage={self.stage!r} ({self.level}), "
                f"score={self.score})")


# The report of a store revision is computed once and kept as JSON in the cache folder
# (``dollarliq.paths.cache_dir``), keyed by everything it depends on: the store file's size
# and modification time, the package's code and data files, the as-of argument, language,
# rules file and options. ``DOLLARLIQ_NO_CACHE=1`` turns it off.
_CACHE_KEEP = 32


def _stamp(p: Path) -> str:
    try:
        st = p.stat()
    except OSError:
        return "-"
    return f"{st.st_size}:{st.st_mtime_ns}"


def _code_stamp() -> str:
    import os

    root = Path(__file__).resolve().parent.parent  # the dollarliq package
    latest, n = 0, 0
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = [d for d in dirnames if d != "__pycache__"]
        for f in filenames:
            if f.endswith((".py", ".toml", ".csv", ".parquet", ".json")):
                n += 1
                latest = max(latest, os.stat(os.path.join(dirpath, f)).st_mtime_ns)
    from dollarliq import __version__

    return f"{__version__}:{n}:{latest}"


def _report_key(as_of: Any, lang: str, rules: Any, bubble_tests: bool,
                home: str | Path | None, today: dt.date) -> str | None:
    """The cache key of a report: everything it depends on, today's date included (the
    default as-of date and the data's age depend on it)."""
    import hashlib
    import os

    if os.environ.get("DOLLARLIQ_NO_CACHE"):
        return None
    if not (rules is None or isinstance(rules, (str, Path))):
        return None  # a RuleSet object: no file to stamp
    if as_of is not None and not isinstance(as_of, str) and not hasattr(as_of, "isoformat"):
        return None
    a = "latest" if as_of is None else (as_of.isoformat()[:10] if hasattr(as_of, "isoformat")
                                        else str(as_of).strip())
    from dollarliq.paths import STORE_FILENAME

    h = home_path(home)
    db = h / STORE_FILENAME
    parts = ["report", a, f"{today:%Y-%m-%d}", lang, str(bubble_tests), _code_stamp(), str(db),
             _stamp(db),
             _stamp(db.with_name(db.name + ".wal"))]
    if rules is not None:
        rp = Path(rules).resolve()
        parts += [str(rp), _stamp(rp)]
    return hashlib.sha1("|".join(parts).encode()).hexdigest()[:24]


def _cache_read(key: str) -> dict | None:
    from dollarliq.paths import cache_dir

    p = cache_dir() / f"report-{key}.json"
    try:
        hit = json.loads(p.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    ok = isinstance(hit, dict) and isinstance(hit.get("doc"), dict) and "sparks" in hit
    return hit if ok else None  # a damaged entry is recomputed and replaced


def _cache_write(key: str, payload: dict) -> None:
    """Keep the payload for the next call; a cache that cannot be written is skipped."""
    import os

    from dollarliq.paths import cache_dir
    from dollarliq.strict_json import dumps as strict_dumps

    d = cache_dir()
    try:
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / f".report-{key}.{os.getpid()}.tmp"
        tmp.write_text(strict_dumps(payload), encoding="utf-8")
        os.replace(tmp, d / f"report-{key}.json")
        old = sorted(d.glob("report-*.json"), key=lambda q: q.stat().st_mtime)[:-_CACHE_KEEP]
        for q in old:
            q.unlink(missing_ok=True)
    except OSError:
        pass


# ----------------------------------------------------------------------------- argument checks

def check_bubble_args(window: int, lag: int, reps: int, method: str,
                      lppls_filter: str = DEFAULT_LPPLS_FILTER) -> tuple[str, ...]:
    """Bounds of a bubble test, checked before any data is read; the methods to run."""
    if method not in ("gsadf", "lppls", "both"):
        raise UsageError(f"method {shown(method)!r}: choose gsadf, lppls or both")
    if method != "gsadf":
        from dollarliq.bubbles.lppls import filter_conditions

        filter_conditions(lppls_filter)  # UsageError naming the sets when unknown
    if not isinstance(window, int) or window < MIN_WINDOW:
        raise UsageError(f"window {window}: at least {MIN_WINDOW} daily closes")
    if not isinstance(lag, int) or lag < 0 or lag > 24:
        raise UsageError(f"lag {lag}: an ADF lag from 0 to 24")
    if not isinstance(reps, int) or reps < 19 or reps > MAX_REPS:
        raise UsageError(f"reps {reps}: between 19 and {MAX_REPS} Monte Carlo replications")
    return ("gsadf", "lppls") if method == "both" else (method,)


def parse_windows(text: str | Sequence[int]) -> list[int]:
    """Window lengths (daily closes) from ``"252,504"`` or a sequence; UsageError unless
    each is a whole number of at least :data:`MIN_WINDOW`."""
    if not isinstance(text, str) and not hasattr(text, "__iter__"):
        raise UsageError(f"windows {shown(text)}: whole numbers, e.g. 252,504 or [252, 504]")
    items = [x.strip() for x in text.split(",")] if isinstance(text, str) else list(text)
    items = [x for x in items if x != ""]
    if not items:
        raise UsageError("windows: give at least one window length, e.g. 252,504")
    out = []
    for x in items:
        try:
            w = int(x)
        except (TypeError, ValueError):
            raise UsageError(f"windows {shown(text)!r}: whole numbers, e.g. 252,504") from None
        if w < MIN_WINDOW:
            raise UsageError(f"window {w}: at least {MIN_WINDOW} daily closes")
        out.append(w)
    return out


_SCHEDULER = r"^(local|threads|(tcp|tls)://[A-Za-z0-9_.\-\[\]:]+:\d{1,5})$"


def check_scan_args(ids: Sequence[str], windows: Sequence[int], method: str, scheduler: str,
                    workers: int, reps: int,
                    lppls_filter: str = DEFAULT_LPPLS_FILTER) -> list[str]:
    """Bounds of a scan, checked before any work; the canonical series ids."""
    import re

    from dollarliq.catalog import get_spec

    ids = check_texts(ids, "series ids", "NVDA", skip_blank=True, allow_empty=True)
    if not ids:
        raise UsageError("no series ids to scan (e.g. NVDA,MSFT)")
    canon = list(dict.fromkeys(get_spec(i).id for i in ids))
    if method not in ("gsadf", "lppls"):
        raise UsageError(f"method {shown(method)!r}: choose gsadf or lppls for a scan")
    if not re.match(_SCHEDULER, scheduler or ""):
        raise UsageError(f"scheduler {shown(scheduler)!r}: local, threads or tcp://host:port")
    if not isinstance(workers, int) or workers < 1 or workers > 64:
        raise UsageError(f"workers {workers}: from 1 to 64")
    check_bubble_args(min(windows), 0, reps, method, lppls_filter)
    return canon


def check_update_args(sources: Any, series: Any) -> tuple[list[str] | None, list[str] | None]:
    """Bounds of an update: known sources and series ids (None or empty: all); the lists."""
    from dollarliq.catalog import get_spec
    from dollarliq.sources import UPDATABLE_SOURCES

    if sources is not None:
        sources = check_texts(sources, "sources", "fred", allow_empty=True)
    if series is not None:
        series = check_texts(series, "series ids", "SOFR", allow_empty=True)
    bad = [x for x in (sources or ()) if x not in UPDATABLE_SOURCES]
    if bad:
        raise UsageError(f"unknown source {shown(bad[0])!r}: choose one of "
                         f"{', '.join(UPDATABLE_SOURCES)}")
    from dollarliq.sources import RECORD_PARTS as PARTS  # light: no pandas before the plan

    for sid in series or ():
        if sid.upper() not in PARTS:  # AUCTIONS, AUCTIONS_UPCOMING: the auction records
            get_spec(sid)
    return sources or None, series or None


def check_watch_args(sources: Sequence[str] | None, series: Sequence[str] | None,
                     record_years: float) -> None:
    """Bounds of ``watch``, checked before any work: known sources and series, a record
    horizon of at least 0 years."""
    check_update_args(sources, series)
    if isinstance(record_years, bool) or not isinstance(record_years, (int, float)) \
            or not record_years >= 0 or record_years > 200:
        raise UsageError(f"record years {record_years}: a number of years from 0 to 200")
