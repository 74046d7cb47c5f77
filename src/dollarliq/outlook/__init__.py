"""The outlook: what the next weeks hold for dollar liquidity (pure, over pandas objects).

* :mod:`~dollarliq.outlook.auctions`: auction records -> what was public on a date, settlement
  and maturing amounts per day;
* :mod:`~dollarliq.outlook.estimates`: the Treasury's announced end-of-quarter cash balance
  (package data ``data/financing_estimates.csv``), point-in-time;
* :mod:`~dollarliq.outlook.effects`: what history says settlement, tax and month-end days do
  to SOFR - IORB and TGCR - IORB;
* :mod:`~dollarliq.outlook.drain`: the drain calendar of the next N business days and the
  TGA path to the end-of-quarter target;
* :mod:`~dollarliq.outlook.runway`: each defence line's level, distance to its threshold and
  pace (arithmetic on the current pace, not a forecast).

The use case that reads the store and puts these together is ``dollarliq.api`` ``outlook``.
"""
