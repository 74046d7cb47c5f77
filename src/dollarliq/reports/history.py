"""Pure: the text of today against history (the document of ``api.history_context``)."""

from __future__ import annotations

from typing import Any


def history_lines(ctx: dict[str, Any]) -> list[str]:
    """Plain lines: each reading's percentile within its compared regimes, then the closest
    past days and what followed them (labelled history, not a forecast)."""
    out = [f"Today against history ({ctx['as_of']}, regime {ctx['regime']})"]
    for r in ctx["readings"]:
        span = f"{r['compared_days']} days from {r['compared_from']}, " + (
            "across regimes " if r["crosses_regime"] else "within ") + ", ".join(r["regimes"])
        if r["value"] is None:
            out.append(f"  {r['id']}: no fresh value today ({span})")
        else:
            out.append(f"  {r['id']}: {r['value']:.1f}, percentile {r['percentile']:.0f} "
                       f"({span})")
    feats = ", ".join(ctx["analogue_features"])
    out.append(f"Closest past days (on {feats}):")
    for a in ctx["analogues"]:
        f = a["followed"]
        out.append(f"  {a['date']} ({a['regime']}): {a['stage']}, score {a['score']}; "
                   f"to {f['until']}: at most {f['max_stage']} (first on "
                   f"{f['max_stage_date']}), score up to {f['max_score']}")
    out.append(ctx["note"])
    return out
