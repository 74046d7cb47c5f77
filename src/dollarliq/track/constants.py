"""Shared constants of the track record."""

DRAINED = 2
TIGHT = 1
#: Forward horizons of the event study, in trading days of the price series (1, 3, 6 months).
HORIZONS = {"1m": 21, "3m": 63, "6m": 126}
#: Below these, a sample is flagged as too small to mean anything.
MIN_INDEPENDENT = 30
MIN_SPELLS = 3
YARDSTICKS = ("STLFSI4", "NFCI", "ANFCI")
ASSETS = {"SPY": "S&P 500 (SPY, dividend-adjusted)",
          "QQQ": "Nasdaq-100 (QQQ, dividend-adjusted, as proxy)"}
NOTICE = ("Not investment advice. A record of what the rules said on each day, using only data "
          "public on that day; past readings do not forecast returns.")
