"""Strength from maturity: the logarithmic strength-maturity relationship of ASTM C1074,
S = a + b * log10(M), one curve per concrete grade. A curve a site has not calibrated
against its own mix's lab breaks is flagged `calibrated: false`. Pure."""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_GRADE = re.compile(r"^C(\d{2,3})$")


@dataclass(frozen=True, slots=True)
class Curve:
    a_mpa: float
    b_mpa: float
    calibrated: bool

    def strength_mpa(self, maturity_degc_h: float) -> float:
        if maturity_degc_h <= 0:
            return 0.0
        return max(0.0, self.a_mpa + self.b_mpa * math.log10(maturity_degc_h))

    def maturity_for(self, strength_mpa: float) -> float:
        """The temperature-time factor at which the curve gives `strength_mpa`."""
        return float(10 ** ((strength_mpa - self.a_mpa) / self.b_mpa))


def grade_mpa(grade: str) -> float:
    """A grade's characteristic cube strength: C30 -> 30 MPa."""
    match = _GRADE.match(grade)
    if match is None:
        msg = f"{grade!r} is not a concrete grade (write C followed by its MPa, e.g. C30)"
        raise ValueError(msg)
    return float(match[1])


# The shipped curve, for a grade a site has not calibrated: an ordinary Portland cement
# mix's usual shape (at 20 °C, with the -10 °C datum: no strength before about 12 h, then
# about 23 % of the grade at 1 day, 57 % at 3 days, 84 % at 7 days, 127 % at 28 days)
# scaled to the grade. Illustrative, never a substitute for the site's own calibration.
_C30 = (-54.9, 21.6)


def shipped_curve(grade: str) -> Curve:
    scale = grade_mpa(grade) / 30
    return Curve(round(_C30[0] * scale, 2), round(_C30[1] * scale, 2), calibrated=False)


# the grades of GB 50010 (C15 to C80), kept with each site's settings for Grafana's panel
SHIPPED_CURVES: dict[str, Curve] = {f"C{n}": shipped_curve(f"C{n}") for n in range(15, 85, 5)}
