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
from collections import Counter

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
# Words with bytes above ASCII: those bytes and the ASCII letters around them (a word of
# the file in any of the candidates; the symbols among them count against a code page).
_WORD = re.compile(rb"[A-Za-z\x80-\xff]*[\x80-\xff][A-Za-z\x80-\xff]*")


def detect(data: bytes) -> str:
    """The code page to read this XER with."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        return "utf-8"
    hint = _currency_hint(data)
    words = Counter(_WORD.findall(data))
    scores = {cp: _score(words, cp) for cp in CANDIDATES}
    best = max(scores.values())
    tied = [cp for cp in CANDIDATES if scores[cp] == best]
    return hint if hint in tied else tied[0]


def _currency_hint(data: bytes) -> str | None:
    header = data.split(b"\n", 1)[0].decode("ascii", errors="replace").strip()
    currency = header.split("\t")[-1].strip().upper()
    return next((cp for cp, codes in _CURRENCIES.items() if currency in codes), None)


def _score(words: Counter[bytes], code_page: str) -> int:
    score = 0
    for raw, count in words.items():
        word = raw.decode(code_page, errors="replace")
        if "\ufffd" in word:
            score -= 10 * count  # a byte this code page does not define
        # one character says little: CURRTYPE's £ € ¥ are Cyrillic letters in cp1251
        elif len(word) > 1:
            score += count if _plausible(word, code_page) else -count
    return score


def _plausible(word: str, code_page: str) -> bool:
    if any(not char.isalpha() for char in word):
        return False  # a symbol in a word: a letter of another code page
    scripts = {unicodedata.name(char, "?").split()[0] for char in word if not char.isascii()}
    if len(scripts) != 1:
        return False
    (script,) = scripts
    ascii_letters = sum(char.isascii() for char in word)
    if script == "CYRILLIC":
        return code_page == "cp1251" and ascii_letters == 0
    if script != "LATIN" or code_page not in _ALPHABETS:
        return False
    if len(word) >= 3 and ascii_letters == 0:
        return False  # a Latin word has ASCII letters too: this is another script misread
    letters = {char.lower() for char in word if not char.isascii()}
    return any(letters <= set(alphabet) for alphabet in _ALPHABETS[code_page])
