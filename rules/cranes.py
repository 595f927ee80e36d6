"""Crane geometry in site coordinates: slew angles are degrees clockwise from site north
(+y), so a jib at 90° points east (+x)."""

from __future__ import annotations

import math

from rules.context import Crane

Point = tuple[float, float]
VERTICAL_CLEARANCE_M = 2.0  # GB 5144-2006 §10.5


def along_jib(crane: Crane, slew_deg: float, radius_m: float) -> Point:
    angle = math.radians(slew_deg)
    return (crane.x_m + radius_m * math.sin(angle), crane.y_m + radius_m * math.cos(angle))


def point_segment_distance(p: Point, a: Point, b: Point) -> float:
    ax, ay = a
    dx, dy = b[0] - ax, b[1] - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((p[0] - ax) * dx + (p[1] - ay) * dy) / length2))
    return math.hypot(p[0] - ax - t * dx, p[1] - ay - t * dy)


def segment_distance(a: Point, b: Point, c: Point, d: Point) -> float:
    if _crosses(a, b, c, d):
        return 0.0
    return min(
        point_segment_distance(a, c, d),
        point_segment_distance(b, c, d),
        point_segment_distance(c, a, b),
        point_segment_distance(d, a, b),
    )


def clearance(a: Crane, slew_a: float, b: Crane, slew_b: float) -> tuple[float, str]:
    """The smallest distance between the two cranes' steel, and between what.

    A jib can strike the other crane's mast unless it passes at least 2 m above it (the
    mast reaches up to its own jib). Two jibs can strike each other only when they are
    less than 2 m apart vertically; with a height unknown, only jib-to-mast is judged.
    """
    jib_a = ((a.x_m, a.y_m), along_jib(a, slew_a, a.jib_m))
    jib_b = ((b.x_m, b.y_m), along_jib(b, slew_b, b.jib_m))
    found: list[tuple[float, str]] = []
    if _may_reach_mast(a, b):
        found.append((point_segment_distance((b.x_m, b.y_m), *jib_a), f"{a.id} jib to {b.id} mast"))
    if _may_reach_mast(b, a):
        found.append((point_segment_distance((a.x_m, a.y_m), *jib_b), f"{b.id} jib to {a.id} mast"))
    if (
        a.height_m is not None
        and b.height_m is not None
        and abs(a.height_m - b.height_m) < VERTICAL_CLEARANCE_M
    ):
        found.append((segment_distance(*jib_a, *jib_b), f"{a.id} jib to {b.id} jib"))
    if not found:
        return math.inf, "jibs pass over each other's masts"
    return min(found)


def _may_reach_mast(jib: Crane, mast: Crane) -> bool:
    if jib.height_m is None or mast.height_m is None:
        return True
    return jib.height_m < mast.height_m + VERTICAL_CLEARANCE_M


def _crosses(a: Point, b: Point, c: Point, d: Point) -> bool:
    def side(p: Point, q: Point, r: Point) -> float:
        return (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])

    d1, d2 = side(c, d, a), side(c, d, b)
    d3, d4 = side(a, b, c), side(a, b, d)
    return d1 * d2 < 0 and d3 * d4 < 0
