"""Which floors a text names, as schedules write them: `12F`, `B2`, `Level 3`, `L3`, `十二层`,
`地下2层`, `1st floor`, `third floor`, `basement 2`, `ground floor`, `roof`, and ranges and
lists: `Levels 3-5`, `3-5F`, `3~5层`, `L3-L5`, `1st and 2nd floors`, `floors 1, 2 & 3`.

Patterns are data (the mapping file may replace them). Each finds floors with named groups:
`level` (a number, Arabic or Chinese), `to` (the end of a range), `list` (every number in it
is a floor), `basement` (matched: the levels are below ground, B2 -> -2). Before they run,
English ordinal words become numbers (`third` -> `3rd`, `twenty-first` -> `21st`) and
number words after a floor word too (`level three` -> `level 3`). `ground floor` and
`roof` name the site's floors: a floor so named, else the lowest level at or above 0 and the
highest level."""

from __future__ import annotations

import re
from collections.abc import Callable

_F = r"(?:floors?|storeys?|stor(?:y|ies)|levels?|lvls?)"
_ORD = r"(?:st|nd|rd|th)"
_TO = r"\s*(?:-|\u2013|~|\uff5e|to|thru|through)\s*"
_NOT_WORD = r"(?![A-Za-z0-9])"
_NOT_AFTER_WORD = r"(?<![A-Za-z0-9])"
_CN = "[0-9一二三四五六七八九十百]+"

DEFAULT_FLOOR_PATTERNS = [
    # ranges and lists first: a single-floor pattern would find their first floor only
    rf"\b{_F}\s*(?P<level>\d{{1,3}}){_TO}(?:{_F}\s*|L)?(?P<to>\d{{1,3}})\b",
    rf"{_NOT_AFTER_WORD}L(?P<level>\d{{1,3}}){_TO}L?(?P<to>\d{{1,3}}){_NOT_WORD}",
    rf"{_NOT_AFTER_WORD}(?P<level>\d{{1,3}})F?{_TO}(?P<to>\d{{1,3}})\s*F{_NOT_WORD}",
    rf"(?P<level>{_CN})层?\s*(?:-|\u2013|~|\uff5e|至|到)\s*(?P<to>{_CN})层",
    rf"\b(?P<level>\d{{1,3}}){_ORD}{_TO}(?P<to>\d{{1,3}}){_ORD}\s+{_F}",
    rf"(?P<list>\b\d{{1,3}}{_ORD}(?:\s*(?:,|&|and)\s*\d{{1,3}}{_ORD})+)\s+{_F}",
    rf"\b{_F}\s+(?P<list>\d{{1,3}}(?:\s*(?:,|&|and)\s*\d{{1,3}})+)\b",
    rf"(?P<list>{_CN}(?:[、,\uff0c和及]{_CN})+)层",
    # one floor
    r"\b(?P<basement>basement|cellar)(?:\s*(?:level\s*)?(?P<level>\d{1,2}))?\b",
    rf"{_NOT_AFTER_WORD}(?P<basement>B)(?P<level>\d{{1,2}})F?{_NOT_WORD}",
    r"(?P<basement>地下)(?P<level>[0-9一二三四五六七八九十]+)层",
    rf"\b(?P<level>\d{{1,3}}){_ORD}\s+{_F}",
    rf"{_NOT_AFTER_WORD}(?P<level>\d{{1,3}})\s*F{_NOT_WORD}",
    rf"\b{_F}\s*(?P<level>\d{{1,3}})\b",
    rf"{_NOT_AFTER_WORD}L(?P<level>\d{{1,3}}){_NOT_WORD}",
    rf"(?P<level>{_CN})层",
]
GROUND = re.compile(rf"\bground\s+{_F}|\bG/?F\b|\bgrade\s+level\b|首层|底层", re.IGNORECASE)
ROOF = re.compile(r"\broof(?:\s+(?:level|floor|slab|deck))?\b|\bRF\b|屋面|屋顶", re.IGNORECASE)
# A range longer than this is a typo or not floors (a date, `1-100`).
MAX_RANGE = 150

_UNITS = ["", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine"]
_TEENS = ["ten", "eleven", "twelve", "thirteen", "fourteen", "fifteen", "sixteen"]
_TEENS += ["seventeen", "eighteen", "nineteen"]
_TENS = ["", "", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL_UNITS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth"]
_ORDINAL_UNITS.append("ninth")
_ORDINAL_TEENS = ["tenth", "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth"]
_ORDINAL_TEENS += ["sixteenth", "seventeenth", "eighteenth", "nineteenth"]


def _words() -> tuple[dict[str, int], dict[str, int]]:
    cardinals = {w: n for n, w in enumerate(_UNITS) if w}
    cardinals |= {w: 10 + n for n, w in enumerate(_TEENS)}
    ordinals = {w: n for n, w in enumerate(_ORDINAL_UNITS, start=1)}
    ordinals |= {w: 10 + n for n, w in enumerate(_ORDINAL_TEENS)}
    for tens in range(2, 10):
        word = _TENS[tens]
        cardinals[word] = tens * 10
        ordinals[word[:-1] + "ieth"] = tens * 10
        for unit in range(1, 10):
            cardinals[f"{word}-{_UNITS[unit]}"] = tens * 10 + unit
            ordinals[f"{word}-{_ORDINAL_UNITS[unit - 1]}"] = tens * 10 + unit
    return cardinals, ordinals


CARDINALS, ORDINALS = _words()
_ORDINAL_WORD = re.compile(
    r"\b(" + "|".join(sorted(ORDINALS, key=len, reverse=True)) + r")\b", re.IGNORECASE
)
_CARDINAL_AFTER_FLOOR = re.compile(
    rf"\b({_F}\s+)(" + "|".join(sorted(CARDINALS, key=len, reverse=True)) + r")\b",
    re.IGNORECASE,
)
_SUFFIX = {1: "st", 2: "nd", 3: "rd"}


def _ordinal(number: int) -> str:
    suffix = "th" if 10 <= number % 100 <= 20 else _SUFFIX.get(number % 10, "th")
    return f"{number}{suffix}"


def numbers_as_digits(text: str) -> str:
    """`third floor` -> `3rd floor`, `level three` -> `level 3`."""
    text = _ORDINAL_WORD.sub(lambda m: _ordinal(ORDINALS[m[1].lower()]), text)
    return _CARDINAL_AFTER_FLOOR.sub(lambda m: m[1] + str(CARDINALS[m[2].lower()]), text)


def floors_in(
    text: str, patterns: list[re.Pattern[str]], site_floors: dict[int, str]
) -> list[int] | None:
    """The levels a text names (a site floor's own name first), or None if it names none."""
    text = text.strip()
    by_name = {name.casefold(): level for level, name in site_floors.items()}
    if text.casefold() in by_name:
        return [by_name[text.casefold()]]
    text = numbers_as_digits(text)
    for pattern in patterns:
        match = pattern.search(text)
        if match:
            levels = _levels(match)
            if levels:
                return levels
    if GROUND.search(text):
        return _named(site_floors, ("ground", "gf", "g", "首层"), _ground)
    if ROOF.search(text):
        return _named(site_floors, ("roof", "rf", "r", "屋面"), _roof)
    return None


def _levels(match: re.Match[str]) -> list[int]:
    groups = match.groupdict()
    sign = -1 if groups.get("basement") else 1
    if groups.get("list"):
        found = [number(n) for n in re.findall(f"{_CN}", groups["list"])]
        return [sign * n for n in found if n is not None]
    if groups.get("basement") and not groups.get("level"):
        return [-1]  # "basement" alone
    first = number(groups.get("level") or "")
    if first is None:
        return []
    last = number(groups.get("to") or "") if groups.get("to") else first
    if last is None or not 0 <= last - first <= MAX_RANGE:
        return []
    return [sign * n for n in range(first, last + 1)]


def _named(
    site_floors: dict[int, str], names: tuple[str, ...], default: Callable[[dict[int, str]], int]
) -> list[int] | None:
    for level, name in site_floors.items():
        if name.strip().casefold() in names:
            return [level]
    return [default(site_floors)] if site_floors else None


def _ground(site_floors: dict[int, str]) -> int:
    above = [level for level in site_floors if level >= 0]
    return min(above) if above else max(site_floors)


def _roof(site_floors: dict[int, str]) -> int:
    return max(site_floors)


_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}


def number(text: str) -> int | None:
    """Arabic digits, or Chinese numerals up to 199 (十二 -> 12, 二十 -> 20, 一百零五 -> 105)."""
    if text.isdigit():
        return int(text)
    total, digit = 0, 0
    for char in text:
        if char in _CN_DIGITS:
            digit = _CN_DIGITS[char]
        elif char == "十":
            total += (digit or 1) * 10
            digit = 0
        elif char == "百":
            total += (digit or 1) * 100
            digit = 0
        else:
            return None
    return total + digit or None
