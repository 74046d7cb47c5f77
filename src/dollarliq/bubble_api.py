"""``dl.bubble``: the tech-bubble use cases under one name.

``dl.bubble.test("NVDA", as_of="2024-06-28")`` is :func:`dollarliq.api.bubble_test`;
``dl.bubble.gauges()`` is :func:`dollarliq.api.gauges`.
"""

from dollarliq.api import bubble_test as test
from dollarliq.api import gauges

__all__ = ["gauges", "test"]
