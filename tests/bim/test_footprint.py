"""Footprints from triangles, as a geometry kernel gives them: no IFC needed."""

from __future__ import annotations

import pytest

from bim.footprint import footprint, footprint_area, simplify
from core.geometry import Point, polygon_area


def prism(outline: list[Point], z0: float, z1: float) -> tuple[list[float], list[int]]:
    """A vertical prism over a convex or star-shaped outline, triangulated as a fan from its
    first point (bottom faces pointing down, top up, sides outward)."""
    n = len(outline)
    verts = [c for x, y in outline for c in (x, y, z0)] + [
        c for x, y in outline for c in (x, y, z1)
    ]
    faces: list[int] = []
    for i in range(1, n - 1):
        faces += [0, i + 1, i]  # bottom, clockwise from above
        faces += [n, n + i, n + i + 1]  # top
    for i in range(n):
        j = (i + 1) % n
        faces += [i, j, n + j, i, n + j, n + i]
    return verts, faces


def same_ring(a: list[Point], b: list[Point]) -> bool:
    """The same closed outline, whichever point it starts from."""
    if len(a) != len(b):
        return False
    start = b.index(a[0]) if a[0] in b else -1
    return start >= 0 and all(
        abs(a[i][0] - b[(start + i) % len(b)][0]) < 1e-6
        and abs(a[i][1] - b[(start + i) % len(b)][1]) < 1e-6
        for i in range(len(a))
    )


def test_a_box_gives_its_rectangle_counter_clockwise() -> None:
    rect = [(20.0, 20.0), (68.0, 20.0), (68.0, 56.0), (20.0, 56.0)]
    verts, faces = prism(rect, 5.4, 9.6)
    found = footprint(verts, faces)
    assert found is not None
    assert same_ring(found, rect)
    assert polygon_area(found) == pytest.approx(48 * 36)


def rectangles(rects: list[tuple[float, float, float, float]], z: float) -> list[float]:
    """Flat triangles covering each (x0, y0, x1, y1) at height z, two per rectangle."""
    verts = []
    for x0, y0, x1, y1 in rects:
        for x, y in ((x0, y0), (x1, y0), (x1, y1), (x0, y0), (x1, y1), (x0, y1)):
            verts += [x, y, z]
    return verts


def test_an_l_shape_from_rectangles_keeps_its_notch() -> None:
    # the demo tower's west wing around the core: three rectangles whose corners lie on
    # the sides of the largest one (T-junctions, as breps triangulated face by face give)
    verts = rectangles([(20, 20, 38, 56), (38, 20, 44, 33), (38, 43, 44, 56)], 0.0)
    found = footprint(verts, list(range(len(verts) // 3)))
    assert found is not None
    wing = [(20.0, 20.0), (44.0, 20.0), (44.0, 33.0), (38.0, 33.0), (38.0, 43.0),
            (44.0, 43.0), (44.0, 56.0), (20.0, 56.0)]  # fmt: skip
    assert same_ring(found, wing)
    assert footprint_area(found) == pytest.approx(24 * 36 - 6 * 10)


def test_a_hole_is_left_out_and_the_outer_outline_kept() -> None:
    # a ring of four rectangles around a 2 x 2 column
    verts = rectangles([(0, 0, 6, 2), (0, 4, 6, 6), (0, 2, 2, 4), (4, 2, 6, 4)], 0.0)
    found = footprint(verts, list(range(len(verts) // 3)))
    assert found is not None
    assert same_ring(found, [(0, 0), (6, 0), (6, 6), (0, 6)])


def test_a_bottom_whose_triangles_meet_at_a_t_junction_is_one_outline() -> None:
    # two rectangles side by side, the right one split at x=2,y=1 where the left has no
    # corner: a corner of one lies on the side of the other
    verts = [0, 0, 0, 2, 0, 0, 2, 2, 0, 0, 2, 0, 4, 0, 0, 4, 2, 0, 2, 1, 0]
    faces = [0, 1, 2, 0, 2, 3, 1, 4, 6, 4, 5, 6, 6, 5, 2]
    found = footprint([float(v) for v in verts], faces)
    assert found is not None
    assert same_ring(found, [(0, 0), (4, 0), (4, 2), (0, 2)])


def test_only_the_lowest_flat_faces_count() -> None:
    # a space whose ceiling steps up (top faces at two heights) and whose footprint is
    # still the rectangle of its floor
    verts, faces = prism([(0, 0), (5, 0), (5, 4), (0, 4)], 2.7, 5.0)
    extra_verts = [6.0, 0.0, 3.0, 9.0, 0.0, 3.0, 9.0, 4.0, 3.0]  # a ledge higher up
    found = footprint(verts + extra_verts, [*faces, 8, 9, 10])
    assert found is not None
    assert footprint_area(found) == pytest.approx(20.0)


def test_no_flat_bottom_no_footprint() -> None:
    assert footprint([], []) is None
    # a single sloped triangle
    assert footprint([0, 0, 0, 1, 0, 1, 0, 1, 2], [0, 1, 2]) is None


def test_simplify_drops_repeated_and_collinear_points() -> None:
    ring = [(0.0, 0.0), (1.0, 0.0), (2.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
    assert simplify(ring) == [(0.0, 0.0), (2.0, 0.0), (2.0, 2.0), (0.0, 2.0)]
