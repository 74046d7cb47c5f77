"""Simulate the GSADF critical values shipped with the package (the report's defaults).

The report tests two years of daily closes (T = 504, r0 = 0.01 + 1.8/sqrt(T), lag 0) and
`bubble scan` defaults to windows of 252 and 504. Simulating them takes a few seconds; the
package ships them so a read-only report does not pay it. Regenerate with:

    python scripts/build_bubble_cv.py
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dollarliq.bubbles.critical_values import critical_values  # noqa: E402
from dollarliq.bubbles.scan import PACKAGED_CV, packaged_name  # noqa: E402

SETTINGS = [(252, 0, 999), (504, 0, 999)]


def main() -> None:
    PACKAGED_CV.mkdir(parents=True, exist_ok=True)
    for T, lag, reps in SETTINGS:
        cv = critical_values(T, lag=lag, reps=reps)
        path = PACKAGED_CV / packaged_name(T, lag, reps)
        path.write_bytes(cv.to_bytes())
        print(f"{path.name}: GSADF 90/95/99% = {[round(float(x), 4) for x in cv.gsadf]}")


if __name__ == "__main__":
    main()
