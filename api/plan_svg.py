"""A floor's plan as SVG: its zones from their polygons (hazard zones red and dashed), the
workers heard on it as dots at their last position (an SOS larger, in red), the cranes' jib
circles with the jib where it last pointed, a scale bar. Drawn in site metres (north up),
scaled by its viewBox: one picture for a 390 px phone and a wall display, as an <img> or
inline (no ids, no <style>, nothing fetched: it cannot clash with the page it sits in)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal
from xml.sax.saxutils import escape

from core.geometry import Point, point_in_polygon, polygon_area

Theme = Literal["light", "dark"]


@dataclass(frozen=True)
class Palette:
    background: str
    zone: str
    edge: str
    hazard: str
    text: str
    halo: str
    worker: str
    sos: str
    crane: str


PALETTES: dict[Theme, Palette] = {
    "light": Palette("#ffffff", "#e8eef3", "#5b6b7a", "#e02424", "#1b2631", "#ffffff",
                     "#1d4ed8", "#e02424", "#c2410c"),
    "dark": Palette("#0b1220", "#1f2937", "#9ca3af", "#f05252", "#e5e7eb", "#0b1220",
                    "#38bdf8", "#f05252", "#fb923c"),
}  # fmt: skip


@dataclass(frozen=True)
class PlanZone:
    id: str
    name: str | None
    polygon: list[Point]
    hazard: bool


@dataclass(frozen=True)
class PlanWorker:
    tag: str
    worker: str | None
    trade: str | None
    x_m: float
    y_m: float
    sos: bool
    last_seen_at: datetime


@dataclass(frozen=True)
class PlanCrane:
    id: str
    x_m: float
    y_m: float
    jib_m: float
    slew_deg: float | None


@dataclass(frozen=True)
class Box:
    x0: float
    y0: float
    x1: float
    y1: float

    @property
    def size(self) -> float:
        return max(self.x1 - self.x0, self.y1 - self.y0)


def plan_svg(
    title: str,
    zones: Sequence[PlanZone],
    workers: Sequence[PlanWorker],
    cranes: Sequence[PlanCrane],
    *,
    labels: bool = True,
    theme: Theme = "light",
) -> str:
    p = PALETTES[theme]
    box = extent(zones, cranes)
    font = box.size / 36  # ~11 px on a 390 px phone, ~40 px on a wall display
    w, h = box.x1 - box.x0, box.y1 - box.y0
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="{_n(box.x0)} {_n(-box.y1)} '
        f'{_n(w)} {_n(h)}" preserveAspectRatio="xMidYMid meet" role="img" '
        f'font-family="system-ui, -apple-system, Segoe UI, Roboto, sans-serif" '
        f'font-size="{_n(font)}">',
        f"<title>{escape(title)}</title>",
        f'<rect x="{_n(box.x0)}" y="{_n(-box.y1)}" width="{_n(w)}" height="{_n(h)}" '
        f'fill="{p.background}"/>',
    ]
    # hazard zones over the rest, so that none hides under a wing
    ordered = sorted(zones, key=lambda z: z.hazard)
    parts += [_zone(z, p) for z in ordered]
    parts += [_crane(c, p, font, labels=labels) for c in cranes]
    if labels:
        parts += [_zone_label(z, p, font) for z in ordered]
    parts += [_worker(wk, p, font) for wk in workers]
    parts.append(_scale_bar(box, p, font))
    parts.append("</svg>")
    return "\n".join(part for part in parts if part)


def extent(zones: Sequence[PlanZone], cranes: Sequence[PlanCrane]) -> Box:
    """The floor's zones and the cranes' masts (not their whole jib circles: a 60 m jib
    would shrink the floor to a corner), with a margin; 20 m around the origin if empty."""
    xs = [x for z in zones for x, _ in z.polygon] + [c.x_m for c in cranes]
    ys = [y for z in zones for _, y in z.polygon] + [c.y_m for c in cranes]
    if not xs:
        return Box(-10, -10, 10, 10)
    margin = 0.05 * max(max(xs) - min(xs), max(ys) - min(ys), 10.0)
    return Box(min(xs) - margin, min(ys) - margin, max(xs) + margin, max(ys) + margin)


def _zone(zone: PlanZone, p: Palette) -> str:
    points = " ".join(f"{_n(x)},{_n(-y)}" for x, y in zone.polygon)
    if zone.hazard:
        style = (
            f'fill="{p.hazard}" fill-opacity="0.35" stroke="{p.hazard}" stroke-width="2" '
            'stroke-dasharray="6 3"'
        )
    else:
        style = f'fill="{p.zone}" stroke="{p.edge}" stroke-width="1.5"'
    tip = f"{zone.name or zone.id} ({zone.id}{', hazard' if zone.hazard else ''})"
    return (
        f'<polygon points="{points}" {style} vector-effect="non-scaling-stroke" '
        f'stroke-linejoin="round"><title>{escape(tip)}</title></polygon>'
    )


def _zone_label(zone: PlanZone, p: Palette, font: float) -> str:
    """The zone's name at its middle, or its id where the name would not fit, or nothing."""
    x, y = label_point(zone.polygon)
    xs = [px for px, _ in zone.polygon]
    ys = [py for _, py in zone.polygon]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    size = font * (0.85 if zone.hazard else 1.0)
    text = next(
        (t for t in (zone.name, zone.id) if t and len(t) * 0.56 * size <= width * 0.95),
        None,
    )
    if text is None or height < size * 1.1:
        return ""
    color = p.hazard if zone.hazard else p.text
    return _text(x, y, text, size, color, p.halo, weight="600" if zone.hazard else "400")


def _worker(worker: PlanWorker, p: Palette, font: float) -> str:
    radius = font * (0.75 if worker.sos else 0.45)
    color = p.sos if worker.sos else p.worker
    who = worker.worker or worker.tag
    trade = f", {worker.trade}" if worker.trade else ""
    tip = (
        f"{'SOS: ' if worker.sos else ''}{who}{trade} (tag {worker.tag}), "
        f"heard {worker.last_seen_at:%H:%M:%S} UTC"
    )
    return (
        f'<circle cx="{_n(worker.x_m)}" cy="{_n(-worker.y_m)}" r="{_n(radius)}" fill="{color}" '
        f'stroke="{p.halo}" stroke-width="1.5" vector-effect="non-scaling-stroke">'
        f"<title>{escape(tip)}</title></circle>"
    )


def _crane(crane: PlanCrane, p: Palette, font: float, *, labels: bool) -> str:
    cx, cy = crane.x_m, -crane.y_m
    parts = [
        f'<g stroke="{p.crane}" vector-effect="non-scaling-stroke"><title>'
        f"{escape(f'crane {crane.id}: jib {crane.jib_m:g} m')}</title>",
        f'<circle cx="{_n(cx)}" cy="{_n(cy)}" r="{_n(crane.jib_m)}" fill="none" '
        'stroke-width="1.5" stroke-dasharray="8 5" vector-effect="non-scaling-stroke"/>',
    ]
    if crane.slew_deg is not None:  # degrees from site north, clockwise seen from above
        a = math.radians(crane.slew_deg)
        x2, y2 = cx + crane.jib_m * math.sin(a), cy - crane.jib_m * math.cos(a)
        parts.append(
            f'<line x1="{_n(cx)}" y1="{_n(cy)}" x2="{_n(x2)}" y2="{_n(y2)}" '
            'stroke-width="2.5" vector-effect="non-scaling-stroke"/>'
        )
    side = font * 0.8
    parts.append(
        f'<rect x="{_n(cx - side / 2)}" y="{_n(cy - side / 2)}" width="{_n(side)}" '
        f'height="{_n(side)}" fill="{p.crane}"/></g>'
    )
    if labels:
        # below the mast: a mast at the plan's top edge keeps its name in view
        parts.append(_text(cx, -cy - side * 1.5, crane.id, font * 0.9, p.crane, p.halo, "600"))
    return "".join(parts)


def _scale_bar(box: Box, p: Palette, font: float) -> str:
    """A bar of a round length, about a fifth of the plan, at its bottom left."""
    target = box.size / 5
    length = max((n for n in (1, 2, 5, 10, 20, 25, 50, 100, 200, 500) if n <= target), default=1)
    x, y = box.x0 + font, -box.y0 - font
    return (
        f'<g fill="{p.text}"><rect x="{_n(x)}" y="{_n(y - font * 0.3)}" width="{length}" '
        f'height="{_n(font * 0.3)}"/></g>'
        + _text(x + length / 2, -(y - font * 0.3) + font * 0.9, f"{length} m", font * 0.8,
                p.text, p.halo)
    )  # fmt: skip


def _text(
    x: float, y: float, text: str, size: float, color: str, halo: str, weight: str = "400"
) -> str:
    """`text` centred on site point (x, y), with a halo that keeps it legible over lines."""
    return (
        f'<text x="{_n(x)}" y="{_n(-y)}" font-size="{_n(size)}" font-weight="{weight}" '
        f'fill="{color}" stroke="{halo}" stroke-width="{_n(size * 0.18)}" '
        f'paint-order="stroke" stroke-linejoin="round" text-anchor="middle" '
        f'dominant-baseline="central">{escape(text)}</text>'
    )


def label_point(polygon: Sequence[Point], steps: int = 16) -> Point:
    """The point deepest inside the polygon, of its centroid and a grid over it: the middle
    of an L-shaped wing's broad part, not its centroid (which may lie in the notch)."""
    xs = [x for x, _ in polygon]
    ys = [y for _, y in polygon]
    candidates = [centroid(polygon)] + [
        (min(xs) + (max(xs) - min(xs)) * (i + 0.5) / steps,
         min(ys) + (max(ys) - min(ys)) * (j + 0.5) / steps)
        for i in range(steps)
        for j in range(steps)
    ]  # fmt: skip
    inside = [c for c in candidates if point_in_polygon(c[0], c[1], polygon)]
    return max(inside, key=lambda c: _depth(c, polygon), default=candidates[0])


def _depth(point: Point, polygon: Sequence[Point]) -> float:
    """How far `point` is from the polygon's nearest side."""
    px, py = point
    nearest = math.inf
    for i, (x1, y1) in enumerate(polygon):
        x2, y2 = polygon[(i + 1) % len(polygon)]
        dx, dy = x2 - x1, y2 - y1
        length2 = dx * dx + dy * dy
        t = 0.0 if length2 == 0 else max(0.0, min(1.0, ((px - x1) * dx + (py - y1) * dy) / length2))
        nearest = min(nearest, math.hypot(px - x1 - t * dx, py - y1 - t * dy))
    return nearest


def centroid(polygon: Sequence[Point]) -> Point:
    """The centre of area (of the points, for a polygon without area)."""
    area = polygon_area(polygon)
    if abs(area) < 1e-9:
        return _mean(polygon)
    cx = cy = 0.0
    n = len(polygon)
    for i in range(n):
        (x1, y1), (x2, y2) = polygon[i], polygon[(i + 1) % n]
        cross = x1 * y2 - x2 * y1
        cx += (x1 + x2) * cross
        cy += (y1 + y2) * cross
    return cx / (6 * area), cy / (6 * area)


def _mean(points: Iterable[Point]) -> Point:
    listed = list(points)
    return sum(x for x, _ in listed) / len(listed), sum(y for _, y in listed) / len(listed)


def _n(value: float) -> str:
    """A coordinate to the centimetre: plenty for a plan, and short."""
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text
