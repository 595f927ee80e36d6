"""XER files in single-byte code pages are read as written: the real P6 sample converted to
Cyrillic, Central European and Western names, MPXJ's real cp1252 exports, and UTF-8."""

from __future__ import annotations

from pathlib import Path

import pytest

from schedules.code_pages import detect
from schedules.xer import decode_xer, parse_xer, read_tables

DATA = Path(__file__).resolve().parents[2] / "tests/data/schedules"
DEMO_XER = Path(__file__).resolve().parents[2] / "deploy/schedules/demo-tower.xer"
NAMES = ("Studs", "Gyp", "Paint", "Ceil", "Floor")
LOCAL = {
    "cp1251": (["Стойки каркаса", "Гипсокартон", "Покраска", "Потолки", "Полы"], "Этаж"),
    "cp1250": (
        ["Příčky \u2013 profily", "Sádrokarton", "Malování", "Podhledy", "Podlahy"],
        "Podlaží",
    ),
    "cp1252": (["Cloisons", "Plâtre", "Peinture", "Plafonds", "Sols carrelés"], "Étage"),
    "cp1254": (["Dikmeler", "Alç\u0131 levha", "Boya", "Asma tavan", "Döşeme"], "Kat"),
}


def takt_in(code_page: str, names: list[str], level: str) -> bytes:
    """The real P6 sample with its activity and level names translated, in a code page."""
    text = (DATA / "p6-takt-building.xer").read_text(encoding="utf-8").replace("\ufffd", "?")
    for english, local in zip(NAMES, names, strict=True):
        text = text.replace(f"\t{english}\t", f"\t{local}\t")
    return text.replace("\tLevel ", f"\t{level} ").encode(code_page)


@pytest.mark.parametrize("code_page", list(LOCAL))
def test_the_p6_sample_in_a_single_byte_code_page_is_read_as_written(code_page: str) -> None:
    names, level = LOCAL[code_page]
    parsed = parse_xer(takt_in(code_page, names, level), "takt.xer")
    assert parsed.encoding == code_page
    assert [t.name for t in parsed.tasks[:5]] == names
    assert parsed.tasks[0].parents[:2] == ["L1", f"{level} 1"]
    assert len(parsed.tasks) == 25


def test_a_real_cp1252_export_keeps_its_currency_symbols() -> None:
    data = (DATA / "mpxj-resource-rates-test.xer").read_bytes()
    text, code_page = decode_xer(data)
    assert code_page == "cp1252"
    symbols = {
        r.values["curr_short_name"]: r.values["curr_symbol"]
        for r in read_tables(text, "x")["CURRTYPE"]
    }
    assert (symbols["U.K."], symbols["EUR"], symbols["JPY"]) == ("£", "€", "¥")


def test_utf8_stays_utf8() -> None:
    parsed = parse_xer(DEMO_XER.read_bytes(), "demo-tower.xer")
    assert parsed.encoding == "utf-8"
    assert next(t for t in parsed.tasks if t.id == "1203").name == "浇筑混凝土 Pour slab"


@pytest.mark.parametrize(
    ("currency", "text", "code_page"),
    [
        ("USD", "Betonowanie stropu; Zbrojenie ścian; Montaż szalunków", "cp1250"),
        ("USD", "Bednění stropu 3.NP; Zdění příček", "cp1250"),
        ("USD", "Бетонирование плиты; Опалубка", "cp1251"),
        ("USD", "Béton armé; Façade; Größe der Decke", "cp1252"),
        ("USD", "Año; Città; così", "cp1252"),
        ("USD", "Żelbet; Montaż szalunków", "cp1250"),  # ż is cp1252's ¯ and ¿
        ("USD", "Łódź; Žďár; Účel", "cp1250"),  # words mostly of diacritics
        ("USD", "Výztuž; Betonáž", "cp1250"),  # ý and ž together: no Western language
        ("CZK", "Malování", "cp1250"),  # the same text either way: the currency decides
        ("USD", "Malování", "cp1252"),
        ("USD", "Kal\u0131p; Döşeme betonu; Perde iskelesi söküm", "cp1254"),
        ("TRY", "Kal\u0131p", "cp1254"),  # cp1250 reads Kalýp, as plausible: the currency decides
        ("USD", "Betonage", "utf-8"),  # ASCII is UTF-8
    ],
)
def test_code_page_detection(currency: str, text: str, code_page: str) -> None:
    header = f"ERMHDR\t8.2\t2026-11-23\tProject\tadmin\tadmin\tdb\tProject Management\t{currency}\n"
    data = (header + f"%T\tTASK\n%R\t{text}\n").encode(
        code_page if code_page != "utf-8" else "ascii"
    )
    assert detect(data) == code_page
