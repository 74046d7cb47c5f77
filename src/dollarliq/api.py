"""The use cases of dollarliq, as a Python API (``import dollarliq as dl``).

Every front end (the command line, the dashboard, ``watch``) calls these functions and only
formats what they return. Each function

* opens the store (``store=`` an open :class:`~dollarliq.store.Store`, or ``home=`` the
  folder of a user store; default ``$DOLLARLIQ_HOME`` or the platform's data folder, and the
  embedded snapshot when no store file exists yet),
* reads it once through :func:`dollarliq.frame.read_rows`,
* resolves the as-of date once with :func:`resolve_as_of`, and
* hands plain pandas objects to the pure computations (indicators, stages, gauges, tests).

The as-of rule, the same for every command: ``as_of=None`` means the latest release date of
the core liquidity inputs (Fed assets, reserves, ON RRP, SOFR), i.e. the last day on which
the stage could change. A date before those inputs were all public, or after today, is a
:class:`~dollarliq.errors.UsageError`.

Bad input raises :mod:`dollarliq.errors` exceptions with a one-line message; each carries the
exit code the command line uses (2 bad input, 3 source, 4 not enough data, 5 store/output).
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
from dollarliq.errors import NotEnoughData, StoreError, UsageError

if TYPE_CHECKING:  # pandas and the engine load on first use, not on ``import dollarliq``
    import pandas as pd

    from dollarliq.frame import Rows
    from dollarliq.store import Store

#: The core liquidity inputs: the default as-of date is their latest release.
CORE_IDS = ("WALCL", "WRESBAL", "RRPONTSYD", "SOFR")
DEFAULT_WINDOW = 504  # daily closes in a bubble test (two years)
MIN_WINDOW = 60  # the fewest closes a bubble test accepts
MAX_REPS = 100_000  # Monte Carlo replications
STALE_DAYS = 7  # calendar days after which a source's data end is labelled stale


# ----------------------------------------------------------------------------- store access

def home_path(home: str | Path | None = None) -> Path:
    """The folder of the user store: ``home``, else ``$DOLLARLIQ_HOME``, else the platform's
    user data folder. StoreError when that path exists and is not a folder."""
    from dollarliq.paths import default_home

    h = Path(home).expanduser() if home is not None else default_home()
    if h.exists() and not h.is_dir():
        raise StoreError(f"the dollarliq home {h} is a file, not a folder "
                         "(set DOLLARLIQ_HOME to a folder)")
    return h


@contextmanager
def open_store(store: Store | None = None, home: str | Path | None = None, *,
               for_write: bool = False) -> Iterator[Store]:
    """The given ``store`` (left open), or the user store under ``home`` (closed after)."""
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
        The current date (default: the system's); a later ``as_of`` is rejected.

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

    d = parse_as_of(as_of)
    lasts = [rows.last_release[s] for s in core if s in rows.last_release]
    if not lasts:
        raise NotEnoughData(f"no data for {', '.join(core)}: run `dollarliq update`")
    data_end = max(rows.last_obs[s] for s in core if s in rows.last_obs)
    if d is None:
        return pd.Timestamp(max(lasts))
    today = today or dt.date.today()
    if d > today:
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

def _engine(rows: Rows, as_of: pd.Timestamp, rules: Any = None):
    """Indicators and stages for every business day up to ``as_of`` (pure, from ``rows``)."""
    from dollarliq.engine import compute
    from dollarliq.indicators import INPUT_IDS
    from dollarliq.stages import load_rules

    rs = rules if rules is not None and not isinstance(rules, (str, Path)) else load_rules(rules)
    long = rows.first_release(INPUT_IDS, as_of=as_of)
    return compute(long, as_of=as_of, start=data_start(rows), rules=rs)


def _engine_ids() -> list[str]:
    from dollarliq.indicators import INPUT_IDS

    return list(dict.fromkeys([*CORE_IDS, *INPUT_IDS]))


# ----------------------------------------------------------------------------- report

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
    """

    doc: dict[str, Any]
    sparks: list[dict[str, Any]] = field(default_factory=list, repr=False)
    engine: Any = field(default=None, repr=False, compare=False)

    @property
    def stage(self) -> str:
        """The stage name: ample, tight, drained or crisis."""
        return self.doc["stage"]["name"]

    @property
    def level(self) -> int:
        """The stage level, 0 (ample) to 3 (crisis)."""
        return int(self.doc["stage"]["level"])

    @property
    def score(self) -> float:
        """The stress score, 0 (no stress) to 100."""
        return float(self.doc["score"]["value"])

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
        return json.loads(json.dumps(self.doc))

    def to_json(self, indent: int | None = 1) -> str:
        """The document as JSON text (UTF-8, non-ASCII kept)."""
        return json.dumps(self.doc, ensure_ascii=False, indent=indent)

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


def _report_ids() -> list[str]:
    from dollarliq.gauges import INPUT_IDS as GAUGE_IDS

    return list(dict.fromkeys([*_engine_ids(), *GAUGE_IDS]))


def report(as_of: Any = None, *, lang: str = "en", rules: Any = None,
           bubble_tests: bool = True, store: Store | None = None,
           home: str | Path | None = None) -> Report:
    """The liquidity report on a date: stage, stress score, indicators, evidence, records,
    tech-bubble gauges and bubble tests.

    Parameters
    ----------
    as_of : str | date | Timestamp, optional
        Use only data public on this date (default: the latest release of the core inputs).
    lang : {"en", "zh"}
        Language of names and sentences.
    rules : str | Path | RuleSet, optional
        Another stage rules file (TOML) or a loaded rule set.
    bubble_tests : bool
        Add the GSADF tests of QQQ and the megacaps (``bubble_tests`` section).
    store, home : optional
        An open store, or the folder of the user store (see the module docstring).

    Returns
    -------
    Report
        ``.stage`` (name), ``.level`` (0-3), ``.score`` (0-100), ``.as_of``, ``.evidence``,
        ``.records``, ``.to_dict()`` / ``.to_json()`` (the CLI's JSON), ``.to_frame()``.

    Examples
    --------
    >>> import dollarliq as dl
    >>> r = dl.report(as_of="2025-11-03")
    >>> r.stage, r.score
    ('tight', 57.0)
    """
    from dollarliq.messages import lang_from_env

    language = lang_from_env(lang)
    key = None if store is not None else _report_key(as_of, language, rules, bubble_tests, home)
    if key is not None:
        hit = _cache_read(key)
        if hit is not None:
            return Report(hit["doc"], hit["sparks"])
    with open_store(store, home) as st:
        rows = _read(st, _report_ids())
        d = resolve_as_of(rows, as_of)
        r = _report_from_rows(rows, d, st.cache_get, lang=language, rules=rules,
                              bubble_tests=bubble_tests)
    if key is not None:
        _cache_write(key, {"doc": r.doc, "sparks": r.sparks})
    return r


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

    root = Path(__file__).parent
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
                home: str | Path | None) -> str | None:
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
    parts = ["report", a, lang, str(bubble_tests), _code_stamp(), str(db), _stamp(db),
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

    d = cache_dir()
    try:
        d.mkdir(parents=True, exist_ok=True)
        tmp = d / f".report-{key}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, d / f"report-{key}.json")
        old = sorted(d.glob("report-*.json"), key=lambda q: q.stat().st_mtime)[:-_CACHE_KEEP]
        for q in old:
            q.unlink(missing_ok=True)
    except OSError:
        pass


def _report_from_rows(rows: Rows, as_of: pd.Timestamp, cache_get, *, lang: str, rules: Any,
                      bubble_tests: bool, progress=None) -> Report:
    from dollarliq.reports.model import build_report
    from dollarliq.reports.terminal import spark_rows

    res = _engine(rows, as_of, rules)
    doc = build_report(res, lang=lang)
    if progress is not None:
        progress("gauges")
    doc["bubble"] = _gauges_from_rows(rows, res.as_of, cache_get)
    if bubble_tests:
        from dollarliq.bubbles.scan import _report_tickers, report_section

        tickers = _report_tickers()
        doc["bubble_tests"] = report_section(rows.series_map(tickers, as_of=res.as_of),
                                             tickers=tickers)
    return Report(doc, spark_rows(res, lang), res)


# ----------------------------------------------------------------------------- gauges

def _gauges_from_rows(rows: Rows, as_of: pd.Timestamp, cache_get) -> dict:
    from dollarliq.gauges import INPUT_IDS, SHARE_IDS, GaugeInputs, gauges_section, read_cached

    form4, facts = read_cached(cache_get)
    inputs = GaugeInputs(series=rows.series_map(INPUT_IDS, as_of=as_of),
                         share_history=rows.series_map(SHARE_IDS), form4=form4,
                         berkshire_facts=facts)
    return gauges_section(inputs, as_of)


def gauges(as_of: Any = None, *, store: Store | None = None,
           home: str | Path | None = None) -> dict[str, Any]:
    """The tech-bubble fragility gauges on a date (``bubble gauges --format json``).

    Parameters
    ----------
    as_of : str | date | Timestamp, optional
        Use only data public on this date (default: the latest release of the core
        liquidity inputs, the same date ``report`` uses).
    store, home : optional
        An open store, or the folder of the user store.

    Returns
    -------
    dict
        ``{"as_of", "notice", "gauges": {...}}``, valid against ``gauges.schema.json``;
        concentration in USD bn, returns in percent, the fear & greed composite 0-100.
    """
    from dollarliq.gauges import INPUT_IDS

    with open_store(store, home) as st:
        rows = _read(st, list(dict.fromkeys([*CORE_IDS, *INPUT_IDS])))
        d = resolve_as_of(rows, as_of, floor=INPUT_IDS)
        return _gauges_from_rows(rows, d, st.cache_get)


# ----------------------------------------------------------------------------- stages

def stages(start: Any = None, end: Any = None, *, rules: Any = None,
           store: Store | None = None, home: str | Path | None = None) -> pd.DataFrame:
    """The stage and stress score of every business day, point-in-time.

    Each day uses only the data public on that day (the same engine as ``report``).

    Parameters
    ----------
    start, end : str | date | Timestamp, optional
        First and last business day (default: the data start and the latest release).
    rules : str | Path | RuleSet, optional
        Another stage rules file.

    Returns
    -------
    pandas.DataFrame
        Indexed by business day (``date``): ``level`` (0-3), ``name``, ``name_zh``,
        ``score`` (0-100, one decimal), ``raw_level`` (before hysteresis), ``held`` (True
        when the stage is held only by hysteresis);
        ``attrs``: ``as_of``, ``rules``.
    """
    import pandas as pd

    s, e = parse_as_of(start, "start date"), parse_as_of(end, "end date")
    if s is not None and e is not None and e < s:
        raise UsageError(f"end date {e:%Y-%m-%d} is before start date {s:%Y-%m-%d}")
    with open_store(store, home) as st:
        rows = _read(st, _engine_ids())
    d = resolve_as_of(rows, e)
    res = _engine(rows, d, rules)
    tab = _from_start(res, s)
    out = pd.DataFrame({"level": tab["level"].astype(int), "name": tab["name"],
                        "name_zh": tab["name_zh"], "score": tab["score"].astype(float).round(1),
                        "raw_level": tab["raw_level"].astype(int),
                        "held": tab["held"].astype(bool)}, index=tab.index)
    out.index.name = "date"
    out.attrs.update(as_of=f"{res.as_of:%Y-%m-%d}", rules=res.rules.source)
    return out


# ----------------------------------------------------------------------------- series

def _is_indicator(series_id: str) -> bool:
    from dollarliq.indicator_catalog import INDICATORS

    return series_id.lower() in INDICATORS


def series(id: str, start: Any = None, end: Any = None, as_of: Any = None, *,
           store: Store | None = None, home: str | Path | None = None) -> pd.Series:
    """One series or indicator as known on a date, in its stored unit.

    Parameters
    ----------
    id : str
        A catalog series id (``SOFR``, ``WALCL``...) or an indicator id
        (``net_liquidity_usd_bn``); see :func:`series_list`.
    start, end : str | date | Timestamp, optional
        First and last observation date.
    as_of : str | date | Timestamp, optional
        Use only values public on this date (default: everything known; for an
        indicator, the latest release of the core inputs).

    Returns
    -------
    pandas.Series
        Values indexed by observation date; ``attrs["unit"]`` (e.g. ``usd_bn``, ``pct``,
        ``bp``), ``attrs["released"]`` (a Series of release dates), ``attrs["source"]``.
        A date the source published without a value (a holiday in a FRED daily series) is
        left out; ``dollarliq series show`` lists it with an empty value.
    """
    import pandas as pd

    from dollarliq.catalog import get_spec

    s, e = parse_as_of(start, "start date"), parse_as_of(end, "end date")
    if s is not None and e is not None and e < s:
        raise UsageError(f"end date {e:%Y-%m-%d} is before start date {s:%Y-%m-%d}")
    if _is_indicator(id):
        from dollarliq.indicator_catalog import INDICATORS

        ind = INDICATORS[id.lower()]
        with open_store(store, home) as st:
            rows = _read(st, _engine_ids())
        d = resolve_as_of(rows, as_of)
        res = _engine(rows, d)
        lo = pd.Timestamp(s) if s is not None else res.data_start
        hi = pd.Timestamp(e) if e is not None else res.as_of
        if ind.level == "obs":
            o = res.panel.obs[ind.id]
            o = o[(o.index >= lo) & (o.index <= hi)]
            out, released = o["value"].astype(float), pd.Series(o["release"].values, o.index)
        else:
            x = res.panel.daily[ind.id]
            out = x[(x.index >= lo) & (x.index <= hi)].astype(float)
            released = pd.Series(out.index, out.index)
        out = out.rename(ind.id)
        out.index.name = "date"
        out.attrs.update(unit=ind.unit, source="derived", released=released)
        return out
    spec = get_spec(id)
    with open_store(store, home) as st:
        rows = _read(st, [spec.id])
    d = parse_as_of(as_of)
    if spec.id not in rows.first_public:
        raise NotEnoughData(f"no data for {spec.id}: run `dollarliq update`")
    if d is not None:
        first = rows.first_public[spec.id]
        if pd.Timestamp(d) < first:
            raise UsageError(f"as-of date {d:%Y-%m-%d} is before the data begin: the first "
                             f"value of {spec.id} became public on {first:%Y-%m-%d}")
        if d > dt.date.today():
            raise UsageError(f"as-of date {d:%Y-%m-%d} is in the future (the data end on "
                             f"{rows.last_obs[spec.id]:%Y-%m-%d})")
    long = rows.latest([spec.id], as_of=d)
    if s is not None:
        long = long[long["obs_date"] >= pd.Timestamp(s)]
    if e is not None:
        long = long[long["obs_date"] <= pd.Timestamp(e)]
    long = long[long["value"].notna()]
    out = pd.Series(long["value"].to_numpy(float), index=pd.DatetimeIndex(long["obs_date"],
                                                                          name="date"),
                    name=spec.id)
    out.attrs.update(unit=spec.unit, source=spec.source,
                     released=pd.Series(long["as_of"].to_numpy(), index=out.index))
    return out


def panel(ids: Sequence[str], as_of: Any = None, *, start: Any = None, end: Any = None,
          store: Store | None = None, home: str | Path | None = None) -> pd.DataFrame:
    """Several catalog series side by side, as known on a date.

    Parameters
    ----------
    ids : sequence of str
        Catalog series ids.
    as_of : str | date | Timestamp, optional
        Use only values public on this date (default: everything known).
    start, end : optional
        First and last observation date.

    Returns
    -------
    pandas.DataFrame
        One column per id (in stored units; ``attrs["units"]`` maps id -> unit), indexed by
        observation date; a date one series lacks is NaN there.
    """
    import pandas as pd

    from dollarliq.catalog import get_spec

    if isinstance(ids, str):
        ids = [ids]
    specs = [get_spec(i) for i in ids]
    if not specs:
        raise UsageError("panel: give at least one series id")
    canon = [sp.id for sp in specs]
    s, e, d = (parse_as_of(start, "start date"), parse_as_of(end, "end date"),
               parse_as_of(as_of))
    with open_store(store, home) as st:
        rows = _read(st, canon)
    if d is not None:
        firsts = [rows.first_public[c] for c in canon if c in rows.first_public]
        if not firsts:
            raise NotEnoughData(f"no data for {', '.join(canon)}: run `dollarliq update`")
        if pd.Timestamp(d) < min(firsts):
            raise UsageError(f"as-of date {d:%Y-%m-%d} is before the data begin: the first "
                             f"value of {', '.join(canon)} became public on "
                             f"{min(firsts):%Y-%m-%d}")
    long = rows.latest(canon, as_of=d)
    wide = long.pivot(index="obs_date", columns="series_id", values="value")
    wide = wide.reindex(columns=canon).sort_index()
    if s is not None:
        wide = wide[wide.index >= pd.Timestamp(s)]
    if e is not None:
        wide = wide[wide.index <= pd.Timestamp(e)]
    wide.index.name = "date"
    wide.columns.name = None
    wide.attrs["units"] = {sp.id: sp.unit for sp in specs}
    return wide


def series_list(source: str | None = None, *, store: Store | None = None,
                home: str | Path | None = None) -> list[dict[str, Any]]:
    """The catalog: every series and derived indicator with its unit, source and coverage.

    Parameters
    ----------
    source : str, optional
        Only this source (``fred``, ``nyfed``, ``treasury``, ``fedboard``, ``ofr``,
        ``yahoo``, ``shiller``, ``edgar`` or ``derived``).

    Returns
    -------
    list of dict
        The rows of ``series list --format json``: id, source, name, name_zh, unit,
        native_unit, freq, observation, release, first, last (and inputs for indicators).
    """
    from dollarliq.catalog import SOURCES, all_specs

    if source is not None and source not in (*SOURCES, "derived"):
        raise UsageError(f"unknown source {source!r}: choose one of "
                         f"{', '.join((*SOURCES, 'derived'))}")
    with open_store(store, home) as st:
        cov = st.coverage()
    rows = []
    for s in all_specs():
        if source and s.source != source:
            continue
        c = cov.get(s.id)
        rows.append({
            "id": s.id, "source": s.source, "name": s.name_en, "name_zh": s.name_zh,
            "unit": s.unit, "native_unit": s.native_unit, "freq": s.freq,
            "observation": s.obs_convention, "release": s.release.describe(),
            "first": c.first_obs.strftime("%Y-%m-%d") if c else None,
            "last": c.last_obs.strftime("%Y-%m-%d") if c else None,
        })
    if source in (None, "derived"):
        from dollarliq.indicator_catalog import INDICATORS

        for ind in INDICATORS.values():
            rows.append({
                "id": ind.id, "source": "derived", "name": ind.name_en, "name_zh": ind.name_zh,
                "unit": ind.unit, "native_unit": ind.unit,
                "freq": "D" if ind.level == "daily" else "obs",
                "observation": "business day (as known that day)" if ind.level == "daily"
                else "observation date of its inputs",
                "release": "when its latest input is released",
                "first": None, "last": None, "inputs": list(ind.inputs)})
    return rows


# ----------------------------------------------------------------------------- backtest

@dataclass(frozen=True)
class TrackRecord:
    """The backtest: stages replayed point-in-time and scored against stress episodes,
    stress indices and forward market returns.

    Attributes
    ----------
    result : BacktestResult
        The full result (per-day table, episode scores, spells, yardsticks, event study).
    """

    result: Any

    def to_dict(self) -> dict[str, Any]:
        """The JSON document of ``backtest --format json``."""
        from dollarliq.backtest import to_dict

        return to_dict(self.result)

    def to_markdown(self, command: str = "dollarliq backtest --format markdown") -> str:
        """The Markdown page of ``backtest --format markdown``."""
        from dollarliq.reports.track_record import render_markdown

        return render_markdown(self.result, command=command)

    def to_html(self) -> str:
        """The self-contained HTML page of ``backtest --format html``."""
        from dollarliq.reports.track_record import html_page

        return html_page(self.result)

    def to_frame(self) -> pd.DataFrame:
        """The replay: one row per business day (level, raw_level, score, name)."""
        return self.result.table.copy()

    @property
    def hit_rate(self) -> float | None:
        """Share of major episodes in range reached by the drained stage (0-1)."""
        return self.result.rates.hit_rate


def backtest(start: Any = None, end: Any = None, *, episodes: str | Path | None = None,
             rules: Any = None, store: Store | None = None,
             home: str | Path | None = None) -> TrackRecord:
    """The track record of the stages, replayed point-in-time up to ``end``.

    Parameters
    ----------
    start, end : str | date | Timestamp, optional
        First business day scored and the replay's as-of date (default: the latest
        release of the core inputs).
    episodes : str | Path, optional
        Another episodes file (CSV, the columns of ``dollarliq/data/episodes.csv``).
    rules : str | Path | RuleSet, optional
        Another stage rules file.

    Returns
    -------
    TrackRecord
        ``.to_dict()``, ``.to_markdown()``, ``.to_html()``, ``.to_frame()``, ``.hit_rate``.
    """
    from dollarliq.backtest import ASSETS, YARDSTICKS, load_episodes
    from dollarliq.track.scoring import OFR_IDS

    s, e = parse_as_of(start, "start date"), parse_as_of(end, "end date")
    if s is not None and e is not None and e < s:
        raise UsageError(f"end date {e:%Y-%m-%d} is before start date {s:%Y-%m-%d}")
    eps = load_episodes(episodes) if episodes is not None else load_episodes()
    with open_store(store, home) as st:
        rows = _read(st, [*_engine_ids(), *YARDSTICKS, *ASSETS, *OFR_IDS])
    d = resolve_as_of(rows, e)
    res = _engine(rows, d, rules)
    return TrackRecord(_evaluate(rows, res, s, eps))


def _from_start(res: Any, start: dt.date | None) -> pd.DataFrame:
    """The replay's stage table from ``start`` (UsageError when before the data begin)."""
    import pandas as pd

    table = res.stages.table
    if start is None:
        return table
    if pd.Timestamp(start) < res.data_start:
        raise UsageError(f"start date {start:%Y-%m-%d} is before the data begin "
                         f"({res.data_start:%Y-%m-%d})")
    return table[table.index >= pd.Timestamp(start)]


def _evaluate(rows: Rows, res: Any, start: dt.date | None, eps: Any):
    """Score the replay in ``res`` (from ``start``) against episodes, yardsticks, markets."""
    import pandas as pd

    from dollarliq.backtest import ASSETS, YARDSTICKS, evaluate

    table = _from_start(res, start)
    from dollarliq.stages import PREVIOUS_RULES, load_rules
    from dollarliq.track.scoring import OFR_IDS, scorecards_for

    known = rows.series_map([*YARDSTICKS, *ASSETS], as_of=res.as_of)
    prev = _engine(rows, res.as_of, load_rules(PREVIOUS_RULES)).stages.table
    ofr_long = rows.first_release(list(OFR_IDS), as_of=res.as_of)
    cards = scorecards_for(res, prev, ofr_long, eps, table.index)
    return evaluate(table, eps, yardstick_series={k: known[k] for k in YARDSTICKS if k in known},
                    prices={k: known[k] for k in ASSETS if k in known}, as_of=res.as_of,
                    data_start=res.data_start, rules=res.rules.source, scorecards=cards)


# ----------------------------------------------------------------------------- bubble tests

@dataclass(frozen=True)
class BubbleTest:
    """GSADF and/or LPPLS on one price series (``bubble test --format json``)."""

    doc: dict[str, Any]

    @property
    def explosive(self) -> bool | None:
        """GSADF rejects the random walk at 95% (None when GSADF was not run)."""
        g = self.doc.get("gsadf")
        return None if g is None else bool(g["explosive_95"])

    def to_dict(self) -> dict[str, Any]:
        return json.loads(json.dumps(self.doc, default=str))

    def to_json(self, indent: int | None = 1) -> str:
        return json.dumps(self.doc, indent=indent, default=str)


def check_bubble_args(window: int, lag: int, reps: int, method: str,
                      lppls_filter: str = DEFAULT_LPPLS_FILTER) -> tuple[str, ...]:
    """Bounds of a bubble test, checked before any data is read; the methods to run."""
    if method not in ("gsadf", "lppls", "both"):
        raise UsageError(f"method {method!r}: choose gsadf, lppls or both")
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


def bubble_test(ticker: str, *, as_of: Any = None, window: int | None = None, lag: int = 0,
                reps: int = 999, method: str = "both",
                lppls_filter: str = DEFAULT_LPPLS_FILTER, store: Store | None = None,
                home: str | Path | None = None) -> BubbleTest:
    """GSADF (with date-stamped episodes) and the LPPLS confidence indicator for one series.

    Parameters
    ----------
    ticker : str
        A price series id (``NVDA``, ``QQQ``, ``SPY``...).
    as_of : str | date | Timestamp, optional
        Use only prices public on this date (default: everything known).
    window : int, optional
        The last ``window`` daily closes are tested; at least 60 and no more than the
        closes available (default: 504, two years, or all closes when fewer).
    lag : int
        ADF lag (0-24).
    reps : int
        Monte Carlo replications of the critical values (cached per sample size).
    method : {"both", "gsadf", "lppls"}
    lppls_filter : str
        The published filter set that qualifies LPPLS fits, one of
        :data:`dollarliq.bubbles.LPPLS_FILTERS` (``lppls-0.6``, ``sornette-2015``,
        ``shu-zhu-2020``); the result names it.

    Returns
    -------
    BubbleTest
        ``.to_dict()``: ``series``, ``window_obs``, ``gsadf`` (statistic, critical values,
        episodes), ``lppls`` (confidence 0-1), ``as_of``.
    """
    from dollarliq.bubbles.scan import analyse_series, store_cache

    methods = check_bubble_args(DEFAULT_WINDOW if window is None else window, lag, reps, method,
                                lppls_filter)
    p = series(ticker, as_of=as_of, store=store, home=home)  # read-only: nothing written yet
    n = int((p > 0).sum())
    if window is None:
        window = max(min(DEFAULT_WINDOW, n), MIN_WINDOW)
    if window > n:
        raise UsageError(f"window {window} is longer than the {n} closes of {p.name} "
                         "public on that date")
    # the store, opened for writing, caches critical values simulated for a new sample size
    with open_store(store, home, for_write=store is None) as st:
        res = analyse_series(p, window=window, lag=lag, reps=reps, methods=methods,
                             cache=store_cache(st), conditions=lppls_filter)
    d = parse_as_of(as_of)
    res["as_of"] = None if d is None else f"{d:%Y-%m-%d}"
    return BubbleTest(res)


def parse_windows(text: str | Sequence[int]) -> list[int]:
    """Window lengths (daily closes) from ``"252,504"`` or a sequence; UsageError unless
    each is a whole number of at least :data:`MIN_WINDOW`."""
    items = [x.strip() for x in text.split(",")] if isinstance(text, str) else list(text)
    items = [x for x in items if x != ""]
    if not items:
        raise UsageError("windows: give at least one window length, e.g. 252,504")
    out = []
    for x in items:
        try:
            w = int(x)
        except (TypeError, ValueError):
            raise UsageError(f"windows {text!r}: whole numbers, e.g. 252,504") from None
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

    ids = [i.strip() for i in ids if i and i.strip()]
    if not ids:
        raise UsageError("no series ids to scan (e.g. NVDA,MSFT)")
    canon = list(dict.fromkeys(get_spec(i).id for i in ids))
    if method not in ("gsadf", "lppls"):
        raise UsageError(f"method {method!r}: choose gsadf or lppls for a scan")
    if not re.match(_SCHEDULER, scheduler or ""):
        raise UsageError(f"scheduler {scheduler!r}: local, threads or tcp://host:port")
    if not isinstance(workers, int) or workers < 1 or workers > 64:
        raise UsageError(f"workers {workers}: from 1 to 64")
    check_bubble_args(min(windows), 0, reps, method, lppls_filter)
    return canon


def bubble_scan(ids: Sequence[str], *, windows: Sequence[int] | str = (252, 504),
                method: str = "gsadf", scheduler: str = "local", workers: int = 2,
                as_of: Any = None, reps: int = 999, lppls_filter: str = DEFAULT_LPPLS_FILTER,
                progress=None, connect_timeout_s: float = 5.0, store: Store | None = None,
                home: str | Path | None = None) -> pd.DataFrame:
    """Bubble tests over many names and windows on Dask; the results are kept in the store.

    Parameters
    ----------
    ids : sequence of str
        Price series ids.
    windows : sequence of int or str
        Window lengths in daily closes (each at least 60).
    method : {"gsadf", "lppls"}
    scheduler : str
        ``local`` (a Dask LocalCluster of ``workers`` processes), ``threads`` or the
        ``tcp://host:port`` address of a running scheduler (SourceError, exit code 3,
        when it cannot be reached within ``connect_timeout_s`` seconds).
    lppls_filter : str
        The LPPLS filter set of an ``lppls`` scan (see :func:`bubble_test`).
    progress : callable, optional
        ``progress(done, total)`` after each cell.

    Returns
    -------
    pandas.DataFrame
        One row per (series, window): statistic, critical value, explosive flags, status;
        ``attrs["key"]`` is the cache key the results are stored under (``bubble_scan``).
    """
    import pandas as pd

    from dollarliq.bubbles.scan import connect, run_scan, store_cache

    wins = parse_windows(windows)
    canon = check_scan_args(ids, wins, method, scheduler, workers, reps, lppls_filter)
    d = parse_as_of(as_of)
    with open_store(store, home, for_write=True) as st:
        rows = _read(st, canon)
        missing = [c for c in canon if c not in rows.first_public]
        if missing:
            raise NotEnoughData(f"no data for {', '.join(missing)}: run `dollarliq update`")
        prices = rows.series_map(canon, as_of=d)
        empty = [c for c in canon if c not in prices]
        if empty:
            raise UsageError(f"as-of date {d}: no value of {', '.join(empty)} was public yet")
        import dask
        import dask.distributed  # noqa: F401  loads its config defaults before they are overridden

        try:
            with dask.config.set({"distributed.comm.timeouts.connect":
                                  f"{connect_timeout_s}s"}):
                client = connect(scheduler, workers)
        except (OSError, TimeoutError) as exc:
            from dollarliq.errors import SourceError

            raise SourceError(f"cannot reach the Dask scheduler at {scheduler} "
                              f"({' '.join(str(exc).split())[:120]})") from None
        try:
            df = run_scan(prices, windows=wins, method=method, client=client,
                          cache=store_cache(st), reps=reps, progress=progress,
                          conditions=lppls_filter)
        finally:
            client.close()
        stamp = pd.Timestamp.now(tz="UTC").strftime("%Y-%m-%dT%H:%M:%SZ")
        kind = method if method == "gsadf" else f"{method}[{lppls_filter}]"
        key = f"{kind}:{d or 'latest'}:{stamp}"
        st.cache_put("bubble_scan", key, df.to_json(orient="records").encode())
    df.attrs["key"] = key
    return df


# ----------------------------------------------------------------------------- dashboard

def dashboard(as_of: Any = None, *, lang: str = "en", track_record: bool = False,
              progress=None, extra_sections: Sequence[tuple[str, str]] = (),
              store: Store | None = None,
              home: str | Path | None = None) -> tuple[str, Report]:
    """The dashboard: one self-contained HTML page (charts, evidence, records, gauges).

    Parameters
    ----------
    as_of : str | date | Timestamp, optional
        Use only data public on this date (default: as :func:`report`).
    lang : {"en", "zh"}
    track_record : bool
        Add the backtest's track record section.
    progress : callable, optional
        ``progress(step)`` is called before the steps "engine", "gauges" and "render".
    extra_sections : sequence of (title, HTML fragment)
        Appended after the built-in sections (the title is escaped, the fragment not).

    Returns
    -------
    (str, Report)
        The HTML page and the report it shows.
    """
    from dollarliq.messages import lang_from_env

    language = lang_from_env(lang)
    step = progress or (lambda name: None)
    ids = _report_ids()
    if track_record:
        from dollarliq.backtest import ASSETS, YARDSTICKS

        ids = list(dict.fromkeys([*ids, *YARDSTICKS, *ASSETS]))
    with open_store(store, home) as st:
        rows = _read(st, ids)
        d = resolve_as_of(rows, as_of)
        step("engine")
        r = _report_from_rows(rows, d, st.cache_get, lang=language, rules=None,
                              bubble_tests=False, progress=step)
    sections = list(extra_sections)
    if track_record:
        from dollarliq.backtest import load_episodes
        from dollarliq.messages import t
        from dollarliq.reports.track_record import html_section

        sections.append((t("dash.track_record", language),
                         html_section(_evaluate(rows, r.engine, None, load_episodes()))))
    step("render")
    from dollarliq.reports.html import render_dashboard

    page = render_dashboard(r.engine, r.doc, r.doc["bubble"], language,
                            extra_sections=sections)
    return page, r


# ----------------------------------------------------------------------------- watch

@dataclass(frozen=True)
class WatchCycle:
    """One watch cycle: the report, the events it raised and an update failure, if any."""

    report: Report
    events: list[Any]
    update_error: str | None = None


def check_watch_args(sources: Sequence[str] | None, series: Sequence[str] | None,
                     record_years: float) -> None:
    """Bounds of ``watch``, checked before any work: known sources and series, a record
    horizon of at least 0 years."""
    from dollarliq.catalog import get_spec
    from dollarliq.sources import UPDATABLE_SOURCES

    bad = [x for x in (sources or ()) if x not in UPDATABLE_SOURCES]
    if bad:
        raise UsageError(f"unknown source {bad[0]!r}: choose one of "
                         f"{', '.join(UPDATABLE_SOURCES)}")
    for sid in series or ():
        get_spec(sid)
    if not record_years >= 0 or record_years > 200:
        raise UsageError(f"record years {record_years}: a number of years from 0 to 200")


def watch_cycle(*, urls: Sequence[str] = (), sources: Sequence[str] | None = None,
                series: Sequence[str] | None = None, lang: str = "en",
                record_years: float = 5.0, progress=None, on_plan=None,
                home: str | Path | None = None) -> WatchCycle:
    """One watch cycle: update (a failure is kept, not raised), report, alert, save the state.

    Parameters
    ----------
    urls : sequence of str
        apprise URLs to notify (none: the events are only returned).
    sources, series : optional
        What to update (default: every source).
    record_years : float
        A record alerts when it is the most extreme value in more than this many years.

    Returns
    -------
    WatchCycle
        ``report``, ``events`` (stage changes and notable records not notified before),
        ``update_error`` (one line) when the update failed and the check used the data in
        the store. The state is saved only after the notification went out.
    """
    from dollarliq.messages import lang_from_env
    from dollarliq.watch import evaluate, load_state, notify, save_state

    check_watch_args(sources, series, record_years)
    language = lang_from_env(lang)
    error = None
    # The update holds the store file only while it writes each series; the report reads it;
    # the state is saved in a short write of its own, so a report elsewhere can run any time.
    try:
        res = update(sources, series=series, progress=progress, on_plan=on_plan, home=home)
        if res.failed:  # the loop goes on with the data it has
            reasons = "; ".join(o.reason for o in res.failed[:3])
            more = f" (+{len(res.failed) - 3} more)" if len(res.failed) > 3 else ""
            error = f"{len(res.failed)} of {res.series} series: {reasons}{more}"
    except Exception as exc:  # noqa: BLE001 - the loop goes on with the data it has
        error = " ".join(str(exc).split()) or type(exc).__name__
    with open_store(None, home) as st:
        rows = _read(st, _report_ids())
        d = resolve_as_of(rows, None)
        r = _report_from_rows(rows, d, st.cache_get, lang=language, rules=None,
                              bubble_tests=False)
        state = load_state(st)
    ev = evaluate(r.doc, state, record_years=record_years, lang=language)
    notify(ev.events, list(urls), lang=language)  # raises: state not saved, retried
    with open_store(None, home, for_write=True) as st:
        save_state(st, ev.state)
    return WatchCycle(r, ev.events, error)


# ----------------------------------------------------------------------------- update, health

def update(sources: Sequence[str] | None = None, *, series: Sequence[str] | None = None,
           since: Any = None, progress=None, on_plan=None, client=None,
           store: Store | None = None, home: str | Path | None = None):
    """Fetch newer data from the real sources into the store, on top of the snapshot.

    Parameters
    ----------
    sources : sequence of str, optional
        Only these sources (``fred``, ``nyfed``, ``treasury``, ``fedboard``, ``ofr``,
        ``yahoo``); default all.
    series : sequence of str, optional
        Only these series ids.
    since : str | date, optional
        Re-fetch observations from this date.
    client : httpx.Client, optional
        The HTTP client (default: :func:`dollarliq.http.make_client`).

    Returns
    -------
    UpdateResult
        ``series`` planned, ``fetched`` observations read, ``added`` rows stored,
        ``data_end``, ``outcomes`` (one per series: status, rows added, revisions, or the
        one-line reason it failed) and ``exit_code`` (0 when everything came, 3 when any
        series failed, 5 on a store failure). A failed series leaves its stored rows as
        they were and does not stop the others.

    Notes
    -----
    Each request must end within ``DOLLARLIQ_REQUEST_DEADLINE`` seconds (default 60) and the
    whole update within ``DOLLARLIQ_UPDATE_DEADLINE`` (default 900); a series past either
    fails with its one line.
    """
    import pandas as pd

    from dollarliq.catalog import get_spec
    from dollarliq.http import (DEFAULT_UPDATE_DEADLINE, UPDATE_DEADLINE_ENV, Fetch,
                                deadline_seconds, make_client)
    from dollarliq.sources import UPDATABLE_SOURCES
    from dollarliq.update import run_update

    bad = [s for s in (sources or ()) if s not in UPDATABLE_SOURCES]
    if bad:
        raise UsageError(f"unknown source {bad[0]!r}: choose one of "
                         f"{', '.join(UPDATABLE_SOURCES)}")
    for sid in series or ():
        get_spec(sid)
    d = parse_as_of(since, "since date")
    own = client is None
    http = client or make_client()
    from dollarliq.paths import STORE_FILENAME

    # The store file, not an open store: each series is written in its own short transaction
    # once it has been fetched, so readers are never locked out during the network fetches.
    target = store if store is not None else home_path(home) / STORE_FILENAME
    try:
        fetch = Fetch(http, total=deadline_seconds(UPDATE_DEADLINE_ENV, DEFAULT_UPDATE_DEADLINE))
        return run_update(target, fetch, sources=list(sources) if sources else None,
                          series=list(series) if series else None,
                          since=None if d is None else pd.Timestamp(d),
                          progress=progress, on_plan=on_plan)
    finally:
        if own:
            http.close()


def edgar_update(tickers: Sequence[str] | None = None, *, since: Any = None,
                 max_filings: int = 50, progress=None, client=None,
                 store: Store | None = None, home: str | Path | None = None):
    """SEC EDGAR data for the bubble gauges: shares outstanding, Form 4 filings, Berkshire.

    Needs ``DOLLARLIQ_SEC_CONTACT`` ("Name e-mail", SEC's fair-access rule);
    CredentialsMissing (exit code 4) before any request when it is not set.

    Parameters
    ----------
    tickers : sequence of str, optional
        Companies (default: :data:`dollarliq.catalog.MEGACAPS`).
    since : str | date, optional
        Form 4 filings filed on or after this date (default: 400 days ago).
    max_filings : int
        Form 4 filings per company, newest first (1-1000).
    progress : callable, optional
        ``progress(ticker)`` after each company.

    Returns
    -------
    dollarliq.edgar_update.EdgarUpdateResult
        Rows and filings stored, and one line per part that failed.
    """
    import pandas as pd

    from dollarliq.catalog import MEGACAPS
    from dollarliq.edgar_update import run_edgar_update
    from dollarliq.http import Fetch, make_client
    from dollarliq.paths import STORE_FILENAME
    from dollarliq.sources.edgar import EdgarClient

    names = [t.strip() for t in (MEGACAPS if tickers is None else tickers)
             if t and t.strip()]
    if not names:
        raise UsageError("tickers: give at least one, e.g. AAPL,MSFT")
    if not isinstance(max_filings, int) or not 1 <= max_filings <= 1000:
        raise UsageError(f"max filings {max_filings}: from 1 to 1000")
    d = parse_as_of(since, "since date")
    start = pd.Timestamp(d) if d is not None else \
        pd.Timestamp.today().normalize() - pd.Timedelta(days=400)
    own = client is None
    http = client or make_client()
    try:
        edgar = EdgarClient(Fetch(http))  # CredentialsMissing before any request
        # The store file: each company is written in a short transaction after its requests.
        target = store if store is not None else home_path(home) / STORE_FILENAME
        return run_edgar_update(target, edgar, names, since=start, max_filings=max_filings,
                                progress=progress)
    finally:
        if own:
            http.close()


def health(*, today: dt.date | None = None, store: Store | None = None,
           home: str | Path | None = None) -> dict[str, Any]:
    """Data end per source, the last update and staleness.

    Returns
    -------
    dict
        ``{"today", "last_update" (UTC ISO time or None: snapshot only), "as_of" (the
        default as-of date), "sources": {source: {"series", "data_end", "last_release",
        "age_days", "stale"}}}``; ``age_days`` counts calendar days from the source's data
        end to ``today``, and a source is stale when that is more than
        :data:`STALE_DAYS`.
    """
    from dollarliq.catalog import CATALOG

    today = today or dt.date.today()
    with open_store(store, home) as st:
        cov = st.coverage()
        last = st.last_fetch() if st.path is not None else None
    by: dict[str, dict[str, Any]] = {}
    for sid, info in cov.items():
        spec = CATALOG.get(sid)
        src = spec.source if spec is not None else "other"
        b = by.setdefault(src, {"series": 0, "data_end": None, "last_release": None})
        b["series"] += 1
        if b["data_end"] is None or info.last_obs > b["data_end"]:
            b["data_end"] = info.last_obs
        if b["last_release"] is None or info.last_as_of > b["last_release"]:
            b["last_release"] = info.last_as_of
    out = {}
    for src, b in sorted(by.items()):
        out[src] = {"series": b["series"], "data_end": f"{b['data_end']:%Y-%m-%d}",
                    "last_release": f"{b['last_release']:%Y-%m-%d}",
                    "age_days": (today - b["data_end"]).days,
                    "stale": (today - b["data_end"]).days > STALE_DAYS}
    core = [cov[s].last_as_of for s in CORE_IDS if s in cov]
    return {"today": f"{today:%Y-%m-%d}",
            "last_update": None if last is None else last.isoformat(timespec="seconds"),
            "as_of": f"{max(core):%Y-%m-%d}" if core else None, "sources": out}


__all__ = ["BubbleTest", "Report", "TrackRecord", "WatchCycle", "backtest", "bubble_scan",
           "bubble_test",
           "dashboard", "gauges", "health", "panel", "report", "resolve_as_of", "series",
           "series_list", "stages", "update", "watch_cycle"]
