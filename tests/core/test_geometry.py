"""core.geometry: point in polygon (even-odd) and signed polygon area."""

from __future__ import annotations

import pytest

from core.geometry import Point, point_in_polygon, polygon_area

SQUARE: list[Point] = [(0, 0), (10, 0), (10, 10), (0, 10)]  # counter-clockwise
# An L: the 10x10 square without its top-right 5x5 quarter.
L_SHAPE: list[Point] = [(0, 0), (10, 0), (10, 5), (5, 5), (5, 10), (0, 10)]
TRIANGLE: list[Point] = [(0, 0), (4, 0), (0, 3)]


@pytest.mark.parametrize(
    ("x", "y", "inside"),
    [
        (5, 5, True),
        (0.1, 0.1, True),
        (9.9, 9.9, True),
        (-0.1, 5, False),
        (10.1, 5, False),
        (5, -0.1, False),
        (5, 10.1, False),
        (50, 50, False),
        (-5, -5, False),
    ],
)
def test_square(x: float, y: float, inside: bool) -> None:
    assert point_in_polygon(x, y, SQUARE) is inside


@pytest.mark.parametrize(
    ("x", "y", "inside"),
    [(2, 2, True), (2, 8, True), (8, 2, True), (8, 8, False), (6, 6, False), (4.9, 9, True)],
)
def test_concave_polygon(x: float, y: float, inside: bool) -> None:
    assert point_in_polygon(x, y, L_SHAPE) is inside


@pytest.mark.parametrize(("x", "y", "inside"), [(1, 1, True), (3, 2, False), (1, 2.2, True)])
def test_triangle(x: float, y: float, inside: bool) -> None:
    assert point_in_polygon(x, y, TRIANGLE) is inside


@pytest.mark.parametrize(("x", "y"), [(5, 5), (8, 8), (2, 2), (-1, 3), (11, 11)])
def test_orientation_does_not_matter(x: float, y: float) -> None:
    assert point_in_polygon(x, y, L_SHAPE) is point_in_polygon(x, y, L_SHAPE[::-1])


def test_point_level_with_a_horizontal_edge() -> None:
    # y equal to the horizontal edge at y=5 of the L: no division by zero, correct side.
    assert point_in_polygon(2, 5, L_SHAPE) is True
    assert point_in_polygon(8, 5.0001, L_SHAPE) is False


def test_area_counter_clockwise_is_positive() -> None:
    assert polygon_area(SQUARE) == pytest.approx(100.0)
    assert polygon_area(L_SHAPE) == pytest.approx(75.0)
    assert polygon_area(TRIANGLE) == pytest.approx(6.0)


def test_area_clockwise_is_negative() -> None:
    assert polygon_area(SQUARE[::-1]) == pytest.approx(-100.0)
    assert polygon_area(L_SHAPE[::-1]) == pytest.approx(-75.0)


def test_area_independent_of_the_starting_point() -> None:
    rotated = L_SHAPE[2:] + L_SHAPE[:2]
    assert polygon_area(rotated) == pytest.approx(polygon_area(L_SHAPE))


def test_area_of_collinear_points_is_zero() -> None:
    assert polygon_area([(0, 0), (5, 0), (10, 0)]) == 0.0
    assert polygon_area([(0, 0), (1, 1), (3, 3)]) == 0.0


def test_area_of_an_offset_rectangle() -> None:
    rect: list[Point] = [(20, 20), (68, 20), (68, 56), (20, 56)]
    assert polygon_area(rect) == pytest.approx(48 * 36)
