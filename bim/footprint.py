"""A solid's footprint: the outline of its bottom faces, seen from above, as one polygon in
site coordinates (metres). Works on the triangles any geometry kernel gives (extrusions,
faceted breps, surface models alike), so a space is drawn the same whatever exported it."""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence

from core.geometry import Point, polygon_area

# Coordinates closer than this are one point: a tenth of a millimetre.
GRID_M = 1e-4
# A face is horizontal when its normal is within ~2.5 degrees of vertical.
HORIZONTAL = 0.999
# A face lies on the bottom when it is this close to the lowest vertex.
BOTTOM_TOL_M = 0.01

Key = tuple[int, int]


def footprint(verts: Sequence[float], faces: Sequence[int]) -> list[Point] | None:
    """The outline (counter-clockwise, without holes) of the horizontal triangles at the
    solid's lowest level; None when it has none (a solid without a flat bottom)."""
    triangles = _bottom_triangles(verts, faces)
    if not triangles:
        return None
    loops = _boundary_loops(triangles)
    outer = max(loops, key=polygon_area, default=None)
    if outer is None or polygon_area(outer) <= 0:
        return None
    return from_lowest(simplify(outer))


def from_lowest(polygon: Sequence[Point]) -> list[Point]:
    """The same ring starting from its lowest point (south, then west): one way to write
    each outline, so that a re-export writes the same file."""
    start = min(range(len(polygon)), key=lambda i: (polygon[i][1], polygon[i][0]))
    return [*polygon[start:], *polygon[:start]]


def footprint_area(polygon: Sequence[Point]) -> float:
    return abs(polygon_area(polygon))


def simplify(polygon: Sequence[Point], tol_m: float = 1e-3) -> list[Point]:
    """Without repeated points and without points on a straight line between their
    neighbours (within `tol_m`)."""
    points = list(polygon)
    changed = True
    while changed and len(points) > 3:
        changed = False
        for i in range(len(points)):
            a, b, c = points[i - 1], points[i], points[(i + 1) % len(points)]
            if _off_line(a, b, c) <= tol_m:
                del points[i]
                changed = True
                break
    return points


def _off_line(a: Point, b: Point, c: Point) -> float:
    """How far b lies from the segment a-c (0 when b repeats a or c)."""
    dx, dy = c[0] - a[0], c[1] - a[1]
    length = math.hypot(dx, dy)
    if length == 0:
        return abs(b[0] - a[0]) + abs(b[1] - a[1])
    t = ((b[0] - a[0]) * dx + (b[1] - a[1]) * dy) / (length * length)
    if t < 0 or t > 1:
        return float("inf")
    return abs(dx * (b[1] - a[1]) - dy * (b[0] - a[0])) / length


def _bottom_triangles(verts: Sequence[float], faces: Sequence[int]) -> list[tuple[Key, ...]]:
    """The horizontal triangles at the lowest level, counter-clockwise seen from above, their
    corners snapped to the grid."""
    if not faces:
        return []
    z_min = min(verts[2::3])
    triangles = []
    for i in range(0, len(faces) - 2, 3):
        corners = [verts[3 * j : 3 * j + 3] for j in faces[i : i + 3]]
        if any(abs(c[2] - z_min) > BOTTOM_TOL_M for c in corners):
            continue
        (ax, ay, _), (bx, by, _), (cx, cy, _) = corners
        twice_area = (bx - ax) * (cy - ay) - (cx - ax) * (by - ay)
        if abs(twice_area) < 2 * GRID_M * GRID_M:
            continue
        keys = tuple(_key(c[0], c[1]) for c in corners)
        triangles.append(keys if twice_area > 0 else keys[::-1])
    return triangles


def _key(x: float, y: float) -> Key:
    return round(x / GRID_M), round(y / GRID_M)


def _boundary_loops(triangles: list[tuple[Key, ...]]) -> list[list[Point]]:
    """The loops of edges that only one triangle has: interior edges are walked both ways
    (once by each neighbour) and cancel, also where a corner of one triangle lies on the
    side of another (each side is first cut at the corners lying on it)."""
    corners = {k for t in triangles for k in t}
    directed: Counter[tuple[Key, Key]] = Counter()
    for t in triangles:
        for a, b in ((t[0], t[1]), (t[1], t[2]), (t[2], t[0])):
            cut = _corners_on(a, b, corners)
            for p, q in zip([a, *cut], [*cut, b], strict=True):
                directed[(p, q)] += 1
    outgoing: dict[Key, list[Key]] = defaultdict(list)
    for (a, b), n in directed.items():
        left = n - directed.get((b, a), 0)
        if left > 0:
            outgoing[a].extend([b] * left)
    loops = []
    while outgoing:
        start = next(iter(outgoing))
        loop = [start]
        at = start
        while True:
            ends = outgoing[at]
            nxt = ends.pop()
            if not ends:
                del outgoing[at]
            if nxt == start:
                break
            loop.append(nxt)
            at = nxt
            if at not in outgoing:  # an open chain (a mesh that is not closed): give up on it
                loop = []
                break
        if len(loop) >= 3:
            loops.append([(x * GRID_M, y * GRID_M) for x, y in loop])
    return loops


def _corners_on(a: Key, b: Key, corners: set[Key]) -> list[Key]:
    """The corners lying inside the segment a-b, in order from a."""
    (ax, ay), (bx, by) = a, b
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    found = []
    lo_x, hi_x = min(ax, bx), max(ax, bx)
    lo_y, hi_y = min(ay, by), max(ay, by)
    for c in corners:
        cx, cy = c
        if not (lo_x <= cx <= hi_x and lo_y <= cy <= hi_y) or c in (a, b):
            continue
        cross = dx * (cy - ay) - dy * (cx - ax)
        if cross * cross <= length2:  # within one grid step of the line
            found.append(((cx - ax) * dx + (cy - ay) * dy, c))
    return [c for _, c in sorted(found)]
