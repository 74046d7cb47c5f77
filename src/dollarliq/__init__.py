"""dollarliq: US-dollar funding liquidity and tech-bubble fragility, point-in-time."""

__version__ = "0.1.0"
