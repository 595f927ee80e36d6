"""Which code page a P6 XER file was written in. XER declares none: P6 writes the Windows
code page of the machine that exported it (cp1252 in Western Europe and the Americas,
cp1250 in Central Europe, cp1251 for Cyrillic, cp1254 in Turkey), or UTF-8.

UTF-8 when the bytes are valid UTF-8. Otherwise each candidate decodes the file and its
words (two characters or more) with non-ASCII letters are scored: +1 when the word is
plausible in one of the code page's languages (its non-ASCII letters all belong to that
language's alphabet, one script), -1 when it is not (letters of several languages or
scripts, a symbol in a word such as `Wyk³ad`, bytes the code page does not define). The
best score wins; a tie goes to the code page the header's currency suggests (ERMHDR's last
field: CZK, PLN, ... cp1250; RUB, UAH, ... cp1251; TRY cp1254), then to cp1252."""

from __future__ import annotations

import re
import unicodedata

CANDIDATES = ("cp1252", "cp1250", "cp1251", "cp1254")
_ALPHABETS: dict[str, list[str]] = {
    "cp1252": [
        "éèêëàâæçîïôœùûüÿ",  # French
        "äöüß",  # German
        "áéíóúñü",  # Spanish
        "áâãàçéêíóôõú",  # Portuguese
        "àèéìòóù",  # Italian
        "æøåé",  # Danish, Norwegian
        "åäöé",  # Swedish, Finnish
        "éëïöüèá",  # Dutch
    ],
    "cp1250": [
        "áčďéěíňóřšťúůýž",  # Czech
        "áäčďéíĺľňóôŕšťúýž",  # Slovak
        "ąćęłńóśźż",  # Polish
        "áéíóöőúüű",  # Hungarian
        "čćđšž",  # Croatian, Slovene, Bosnian
        "ăâîșşțţ",  # Romanian
        "äöüß",  # German as written in Central Europe
    ],
    "cp1254": ["âçğıîöşûü"],  # Turkish
}
_CURRENCIES = {
    "cp1250": {"CZK", "PLN", "HUF", "HRK", "RON", "BAM", "ALL", "RSD"},
    "cp1251": {"RUB", "RUR", "UAH", "BYN", "BYR", "KZT", "BGN", "MKD", "KGS", "UZS", "TJS"},
    "cp1254": {"TRY", "TRL"},
}
# Letters, and the non-ASCII symbols in or around them (cp1250's ż read as cp1252's ¿).
_SYMBOL = r"[^\w\s\x00-\x7f]"
_WORD = re.compile(rf"{_SYMBOL}?[^\W\d_]+(?:{_SYMBOL}+[^\W\d_]*)*")


def detect(data: bytes) -> str:
    """The code page to read this XER with."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    hint = _currency_hint(data)
    sample = b"\n".join(line for line in data.splitlines() if not line.isascii())
    scores = {cp: _score(sample, cp) for cp in CANDIDATES}
    best = max(scores.values())
    tied = [cp for cp in CANDIDATES if scores[cp] == best]
    return hint if hint in tied else tied[0]


def _currency_hint(data: bytes) -> str | None:
    header = data.split(b"\n", 1)[0].decode("ascii", errors="replace").strip()
    currency = header.split("\t")[-1].strip().upper()
    return next((cp for cp, codes in _CURRENCIES.items() if currency in codes), None)


def _score(data: bytes, code_page: str) -> int:
    text = data.decode(code_page, errors="replace")
    score = -10 * text.count("\ufffd")
    for word in _WORD.findall(text):
        # one character says little: CURRTYPE's £ € ¥ are Cyrillic letters in cp1251
        if len(word) > 1 and not word.isascii():
            score += 1 if _plausible(word, code_page) else -1
    return score


def _plausible(word: str, code_page: str) -> bool:
    if any(not char.isalpha() for char in word):
        return False  # a symbol between letters: a letter of another code page
    scripts = {unicodedata.name(char, "?").split()[0] for char in word if not char.isascii()}
    if len(scripts) != 1:
        return False
    (script,) = scripts
    ascii_letters = sum(char.isascii() for char in word)
    if script == "CYRILLIC":
        return code_page == "cp1251" and ascii_letters == 0
    if script != "LATIN" or code_page not in _ALPHABETS:
        return False
    letters = {char.lower() for char in word if not char.isascii()}
    if len(word) >= 3 and len(letters) > ascii_letters:
        return False  # Latin words are mostly ASCII: this is another script misread
    return any(letters <= set(alphabet) for alphabet in _ALPHABETS[code_page])
