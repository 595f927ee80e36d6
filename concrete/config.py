"""A site's concrete settings (the site file's `concrete:` section): the datum temperature,
the gap limit, the site's default grade, its strength-maturity curves, and what decides
stripping and frost. Validated on construction; the shipped curves stand in for the
grades a site has not calibrated."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from concrete.decisions import Cement, Curing, Member, critical_frost_mpa, stripping_pct
from concrete.strength import SHIPPED_CURVES, Curve, grade_mpa, shipped_curve

Grade = Annotated[str, StringConstraints(pattern=r"^C[0-9]{2,3}$")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class CurveSpec(_Strict):
    """S = a_mpa + b_mpa * log10(M), M in °C·h over the site's datum."""

    a_mpa: Annotated[float, Field(ge=-500, le=500)]
    b_mpa: Annotated[float, Field(gt=0, le=500)]
    # true only when fitted to the site's own mix (lab breaks at known maturities)
    calibrated: bool


class StrippingSpec(_Strict):
    member: Member = "slab"
    span_m: Annotated[float, Field(gt=0, le=100)] = 6.0


class FrostSpec(_Strict):
    cement: Cement = "portland"
    curing: Curing = "ordinary"
    # the lowest air temperature expected this winter (JGJ/T 104: 4.0 or 5.0 MPa)
    lowest_air_c: Annotated[float, Field(ge=-60, le=10)] = -15.0
    # the air temperature the frost forecast looks for
    frost_air_c: Annotated[float, Field(ge=-20, le=5)] = 0.0


class ConcreteSpec(_Strict):
    datum_c: Annotated[float, Field(ge=-20, le=5)] = -10.0
    # readings further apart than this are not bridged
    gap_limit_h: Annotated[float, Field(gt=0, le=72)] = 2.0
    default_grade: Grade = "C30"
    # the temperature trend behind the forecasts is fitted over this many hours
    trend_h: Annotated[float, Field(gt=0, le=72)] = 6.0
    stripping: StrippingSpec = StrippingSpec()
    frost: FrostSpec = FrostSpec()
    curves: dict[Grade, CurveSpec] = {}

    @field_validator("default_grade")
    @classmethod
    def _known_grade(cls, value: str) -> str:
        grade_mpa(value)
        return value

    @property
    def gap_limit(self) -> timedelta:
        return timedelta(hours=self.gap_limit_h)

    @property
    def trend_window(self) -> timedelta:
        return timedelta(hours=self.trend_h)

    def curve(self, grade: str) -> Curve:
        """The site's curve for the grade, else the shipped one (not calibrated)."""
        spec = self.curves.get(grade)
        if spec is not None:
            return Curve(spec.a_mpa, spec.b_mpa, spec.calibrated)
        return shipped_curve(grade)

    def stripping_mpa(self, grade: str) -> float:
        return grade_mpa(grade) * stripping_pct(self.stripping.member, self.stripping.span_m) / 100

    def frost_mpa(self, grade: str) -> float:
        f = self.frost
        return critical_frost_mpa(grade_mpa(grade), f.cement, f.curing, f.lowest_air_c)

    def with_shipped_curves(self) -> ConcreteSpec:
        """These settings with the shipped curves of the grades the site has not given."""
        grades = {**SHIPPED_CURVES, self.default_grade: self.curve(self.default_grade)}
        shipped = {
            g: CurveSpec(a_mpa=c.a_mpa, b_mpa=c.b_mpa, calibrated=c.calibrated)
            for g, c in grades.items()
        }
        return self.model_copy(update={"curves": {**shipped, **self.curves}})
