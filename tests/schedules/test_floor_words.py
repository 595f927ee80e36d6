"""What real schedules write for floors and work, in English and Chinese: ordinals, words,
ranges, lists, ground and roof, and the type words of US and UK programmes."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from schedules.floor_words import DEFAULT_FLOOR_PATTERNS, floors_in, numbers_as_digits
from schedules.mapping import Mapping, SiteFrame, map_schedule
from schedules.model import SourceFile, SourceTask

PATTERNS = [re.compile(p, re.IGNORECASE) for p in DEFAULT_FLOOR_PATTERNS]
TOWER = {-2: "B2", -1: "B1", **{n: f"{n}F" for n in range(1, 31)}}
UK_BLOCK = {-1: "Basement", 0: "Ground", 1: "First", 2: "Second", 3: "Third", 4: "Roof"}


@pytest.mark.parametrize(
    ("text", "levels"),
    [
        ("1st floor", [1]),
        ("2nd Floor slab", [2]),
        ("Pour 23rd floor deck", [23]),
        ("third floor", [3]),
        ("Twenty-first Floor", [21]),
        ("level three", [3]),
        ("basement 2", [-2]),
        ("Basement", [-1]),
        ("Basement Level 1 walls", [-1]),
        ("1st and 2nd floors", [1, 2]),
        ("1st, 2nd & 3rd Floors", [1, 2, 3]),
        ("Levels 3-5", [3, 4, 5]),
        ("Level 3 to Level 5", [3, 4, 5]),
        ("Floors 7\u20139 drywall", [7, 8, 9]),
        ("floors 1, 2 and 4", [1, 2, 4]),
        ("3~5层", [3, 4, 5]),
        ("三至五层", [3, 4, 5]),
        ("3、5层 砌体", [3, 5]),
        ("3-5F", [3, 4, 5]),
        ("3F~5F", [3, 4, 5]),
        ("L3-L5", [3, 4, 5]),
        ("12F", [12]),
        ("Level 12", [12]),
        ("B2", [-2]),
        ("地下2层", [-2]),
        ("二十层", [20]),
    ],
)
def test_floors_named_in_the_words_schedules_use(text: str, levels: list[int]) -> None:
    assert floors_in(text, PATTERNS, TOWER) == levels


@pytest.mark.parametrize(
    ("text", "tower", "uk_block"),
    [
        ("Ground floor slab", [1], [0]),
        ("G/F lobby", [1], [0]),
        ("Roof", [30], [4]),
        ("Roof slab pour", [30], [4]),
        ("First", None, [1]),  # a site floor's own name
    ],
)
def test_ground_and_roof_are_the_sites_own(
    text: str, tower: list[int] | None, uk_block: list[int]
) -> None:
    assert floors_in(text, PATTERNS, TOWER) == tower
    assert floors_in(text, PATTERNS, UK_BLOCK) == uk_block


@pytest.mark.parametrize(
    "text",
    ["Site meeting", "First fix electrical", "Roofing membrane", "2026-11-23", "Grid 3-5", "L"],
)
def test_text_that_names_no_floor(text: str) -> None:
    assert floors_in(text, PATTERNS, TOWER) is None


def test_a_range_running_backwards_or_too_long_is_not_taken() -> None:
    assert floors_in("Levels 5-3", PATTERNS, TOWER) == [5]
    assert floors_in("Levels 1-400", PATTERNS, TOWER) == [1]


def test_number_words_become_digits_only_where_they_name_floors() -> None:
    assert numbers_as_digits("third floor, level two") == "3rd floor, level 2"
    assert numbers_as_digits("Two crews") == "Two crews"


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("Form", "formwork"),
        ("Form slab edge", "formwork"),
        ("Strip forms", "formwork"),
        ("Concrete formwork", "formwork"),
        ("Reshoring", "formwork"),
        ("Reinforcing steel", "rebar"),
        ("Install mesh", "rebar"),
        ("Pour", "pour"),
        ("Place concrete", "pour"),
        ("Slab on grade", "pour"),
        ("Cast-in-place walls", "pour"),
        ("Cure", "curing"),
        ("Cure slab", "curing"),
        ("Erect steel", "lift"),
        ("Erect structural steel", "lift"),
        ("Set precast panels", "lift"),
        ("Erect tower crane", "erection"),
        ("Erect TC-3", "erection"),
        ("Dismantle tower crane", "dismantling"),
        ("Jump crane", "climbing"),
        ("Demolition", "noisy"),
        ("Piling", "noisy"),
        ("CMU walls", "masonry"),
        ("Tape and finish drywall", "finishing"),
        ("Millwork", "finishing"),
    ],
)
def test_type_words_of_english_schedules(name: str, kind: str) -> None:
    task = SourceTask(
        id="1",
        name=name,
        where="f.xml: Task[1]",
        planned_start=datetime(2026, 11, 23, 8),
        planned_finish=datetime(2026, 11, 23, 17),
        parents=["3F"],
    )
    site = SiteFrame("t", ZoneInfo("UTC"), TOWER, frozenset())
    schedule = map_schedule(SourceFile([task], {"": ""}), Mapping(), site, "f.xml", "mspdi")
    assert schedule.tasks[0].type == kind
