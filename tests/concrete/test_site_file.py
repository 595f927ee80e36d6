"""The site file's `concrete:` section: a bad entry is refused naming its field and line,
nothing loaded; a good one is kept with the site and read back by the API and the rules."""

from __future__ import annotations

import pytest

from concrete.report import site_settings
from concrete.strength import SHIPPED_CURVES
from core.db import Connection
from core.errors import SiteFileInvalid
from sites.site_file import parse_site_file
from sites.store import apply_site
from tests.concrete.site import CONCRETE, concrete_site_yaml
from tests.helpers import site_yaml


def refusal(site_id: str, concrete: str) -> str:
    with pytest.raises(SiteFileInvalid) as refused:
        parse_site_file(site_yaml(site_id) + concrete, "site.yaml")
    return str(refused.value)


def line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(
    ("section", "needle", "expected"),
    [
        (
            "concrete:\n  curves:\n    C30: {a_mpa: -50, b_mpa: 0, calibrated: true}\n",
            "C30:",
            "concrete.curves.C30.b_mpa: Input should be greater than 0",
        ),
        (
            "concrete:\n  curves:\n    C35: {a_mpa: -50, b_mpa: 20}\n",
            "C35:",
            "concrete.curves.C35.calibrated: Field required",
        ),
        (
            "concrete:\n  default_grade: '30'\n",
            "default_grade",
            "concrete.default_grade: String should match pattern",
        ),
        ("concrete:\n  datum: -10\n", "datum", "concrete.datum: Extra inputs are not permitted"),
        (
            "concrete:\n  stripping: {member: wall}\n",
            "stripping",
            "concrete.stripping.member: Input should be 'slab', 'beam' or 'cantilever'",
        ),
        (
            "concrete:\n  gap_limit_h: 0\n",
            "gap_limit_h",
            "concrete.gap_limit_h: Input should be greater than 0",
        ),
    ],
)
def test_a_bad_entry_is_refused_naming_its_field_and_line(
    site_id: str, section: str, needle: str, expected: str
) -> None:
    text = site_yaml(site_id) + section
    message = refusal(site_id, section)
    assert f"site.yaml:{line_of(text, needle)}: {expected}" in message
    assert "nothing was loaded" in message


def test_the_settings_are_kept_with_the_site_beside_the_shipped_curves(
    conn: Connection, site_id: str
) -> None:
    site = parse_site_file(concrete_site_yaml(site_id))
    assert apply_site(conn, site).concrete_written
    stored = site_settings(conn, site_id)
    assert stored.curves["C40"].calibrated
    assert stored.curve("C40").calibrated
    shipped = stored.curve("C30")
    assert shipped == SHIPPED_CURVES["C30"]
    assert not shipped.calibrated
    assert stored.model_dump(exclude={"curves"}) == site.concrete.model_dump(exclude={"curves"})

    again = apply_site(conn, site)
    assert not again.concrete_written
    assert again.summary() == "no changes"
    colder = concrete_site_yaml(site_id).replace("datum_c: -10", "datum_c: -5")
    changed = apply_site(conn, parse_site_file(colder))
    assert changed.summary() == "concrete settings written"
    assert site_settings(conn, site_id).datum_c == -5.0
    assert "datum_c: -10" in CONCRETE


def test_a_site_without_a_section_gets_the_defaults(conn: Connection, site_id: str) -> None:
    apply_site(conn, parse_site_file(site_yaml(site_id)))
    stored = site_settings(conn, site_id)
    assert (stored.datum_c, stored.gap_limit_h, stored.default_grade) == (-10.0, 2.0, "C30")
    assert site_settings(conn, "no-such-site").datum_c == -10.0
