"""Explosive-bubble statistics: GSADF/BSADF (Phillips, Shi and Yu 2015) and LPPLS."""
