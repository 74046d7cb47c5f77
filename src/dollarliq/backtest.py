"""The track record: the stage engine replayed point-in-time and scored against the record.

The computations live in :mod:`dollarliq.track` (episodes, scoring, yardsticks, bootstrap,
event study, out-of-sample scorecard); this module keeps the public names in one place.
The renderers (:mod:`dollarliq.reports.track_record`) import from :mod:`dollarliq.track`, not
from here, so there is no import circle.
"""

from __future__ import annotations

from dollarliq.track.bootstrap import stationary_bootstrap_ci
from dollarliq.track.constants import (ASSETS, DRAINED, HORIZONS, MIN_INDEPENDENT, MIN_SPELLS,
                                       NOTICE, TIGHT, YARDSTICKS)
from dollarliq.track.episodes import (DEFAULT_EPISODES, Episode, EpisodeScore, Rates, Spell,
                                      drained_spells, load_episodes, rates, score_episode,
                                      spells)
from dollarliq.track.event_study import (EventRow, event_study, forward_max_drawdown,
                                         forward_returns, independent_count)
from dollarliq.track.scoring import (BacktestParams, BacktestResult, evaluate, run_backtest,
                                     to_dict)
from dollarliq.track.yardsticks import Yardstick, agreement, weekly_pairs, yardstick


def backtest_html_section(result: BacktestResult) -> str:
    """The "Track record" HTML fragment (charts and tables, without the Plotly library)."""
    from dollarliq.reports.track_record import html_section

    return html_section(result)


__all__ = ["ASSETS", "DEFAULT_EPISODES", "DRAINED", "HORIZONS", "MIN_INDEPENDENT", "MIN_SPELLS",
           "NOTICE", "TIGHT", "YARDSTICKS", "BacktestParams", "BacktestResult", "Episode",
           "EpisodeScore", "EventRow", "Rates", "Spell", "Yardstick", "agreement",
           "backtest_html_section", "drained_spells", "evaluate", "event_study",
           "forward_max_drawdown", "forward_returns", "independent_count", "load_episodes",
           "rates", "run_backtest", "score_episode", "spells", "stationary_bootstrap_ci",
           "to_dict", "weekly_pairs", "yardstick"]
