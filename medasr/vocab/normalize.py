"""Written <-> spoken forms for clinical text: numbers, decimals, doses, units, dates, abbreviations.

``to_spoken("metformin 500 mg b.i.d.")`` -> ``"metformin five hundred milligrams twice daily"``
(what a clinician says; the synthetic-speech generator speaks it). ``to_written`` is the inverse
where it is well defined (number words -> digits, "milligrams" after a number -> "mg", spelled
letters of a known abbreviation -> the abbreviation). Shared by synth and correction.
"""

from __future__ import annotations

import re

from medasr.vocab.curated import ABBREVIATIONS, LETTER_SPOKEN, UNITS

_ONES = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
_TENS = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
_SCALES = [(10**9, "billion"), (10**6, "million"), (1000, "thousand")]
_ORD = {
    "one": "first", "two": "second", "three": "third", "five": "fifth", "eight": "eighth",
    "nine": "ninth", "twelve": "twelfth",
}
_MONTHS = "January February March April May June July August September October November December".split()


def number_to_words(n: int) -> str:
    """Cardinal English words for a non-negative integer (American style, no "and")."""
    if n < 0:
        return "minus " + number_to_words(-n)
    if n < 20:
        return _ONES[n]
    if n < 100:
        t, o = divmod(n, 10)
        return _TENS[t] + ("" if o == 0 else " " + _ONES[o])
    if n < 1000:
        h, r = divmod(n, 100)
        return _ONES[h] + " hundred" + ("" if r == 0 else " " + number_to_words(r))
    for value, name in _SCALES:
        if n >= value:
            q, r = divmod(n, value)
            return number_to_words(q) + " " + name + ("" if r == 0 else " " + number_to_words(r))
    raise AssertionError(n)


def ordinal_words(n: int) -> str:
    words = number_to_words(n).split()
    last = words[-1]
    if last in _ORD:
        words[-1] = _ORD[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return " ".join(words)


def year_words(y: int) -> str:
    if 2000 <= y < 2010:
        return number_to_words(y)
    hi, lo = divmod(y, 100)
    if lo == 0:
        return number_to_words(hi) + " hundred"
    return number_to_words(hi) + " " + ("oh " + _ONES[lo] if lo < 10 else number_to_words(lo))


def decimal_words(s: str) -> str:
    """"2.5" -> "two point five", "0.125" -> "zero point one two five", "1,000" -> "one thousand"."""
    s = s.replace(",", "")
    if "." in s:
        whole, frac = s.split(".", 1)
        head = number_to_words(int(whole)) if whole else "zero"
        return head + " point " + " ".join(_ONES[int(d)] for d in frac)
    return number_to_words(int(s))


# token patterns, tried in order at each position
_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?|\.\d+"
_UNIT_ALT = "|".join(sorted((re.escape(u) for u in UNITS), key=len, reverse=True))
_ABBR_ALT = "|".join(sorted((re.escape(a) for a in ABBREVIATIONS), key=len, reverse=True))
_TOKEN = re.compile(
    rf"(?P<date>\b\d{{4}}-\d{{2}}-\d{{2}}\b|\b\d{{1,2}}/\d{{1,2}}/\d{{4}}\b)"
    rf"|(?P<bp>\b\d{{2,3}}/\d{{2,3}}\b)"
    rf"|(?P<time>\b\d{{1,2}}:\d{{2}}\b)"
    rf"|(?P<ord>\b\d+(?:st|nd|rd|th)\b)"
    rf"|(?P<range>\b(?:{_NUM})-(?:{_NUM})\s?(?:{_UNIT_ALT})(?!\w))"
    rf"|(?P<dose>(?<![\w.])(?:{_NUM})\s?(?:{_UNIT_ALT})(?![\w]))"
    rf"|(?P<qh>\bq\.?(?P<qn>\d+)\.?h(?:rs?)?\b\.?)"
    rf"|(?P<abbr>(?<![\w.])(?:{_ABBR_ALT})(?![\w+\-]))"
    rf"|(?P<num>(?<![\w.])(?:{_NUM})(?![\w]))",
)


def _unit_words(unit: str, value: str) -> str:
    singular, plural = UNITS[unit]
    return singular if value.replace(",", "") in ("1", "1.0") else plural


def _spoken_token(m: re.Match[str]) -> str:
    text = m.group(0)
    if m.group("date"):
        if "-" in text:
            y, mo, d = (int(x) for x in text.split("-"))
        else:
            mo, d, y = (int(x) for x in text.split("/"))
        if 1 <= mo <= 12 and 1 <= d <= 31:
            return f"{_MONTHS[mo - 1]} {ordinal_words(d)} {year_words(y)}"
        return " ".join(decimal_words(x) for x in re.split(r"[-/]", text))
    if m.group("bp"):
        a, b = text.split("/")
        return f"{number_to_words(int(a))} over {number_to_words(int(b))}"
    if m.group("time"):
        h, mi = (int(x) for x in text.split(":"))
        if mi == 0:
            return f"{number_to_words(h)} o'clock"
        return f"{number_to_words(h)} " + ("oh " + _ONES[mi] if mi < 10 else number_to_words(mi))
    if m.group("ord"):
        return ordinal_words(int(re.match(r"\d+", text).group(0)))  # type: ignore[union-attr]
    if m.group("range"):
        mm = re.match(rf"({_NUM})-({_NUM})\s?(.+)", text)
        assert mm
        return f"{decimal_words(mm.group(1))} to {decimal_words(mm.group(2))} {_unit_words(mm.group(3), mm.group(2))}"
    if m.group("dose"):
        mm = re.match(rf"({_NUM})\s?(.+)", text)
        assert mm
        return f"{decimal_words(mm.group(1))} {_unit_words(mm.group(2), mm.group(1))}"
    if m.group("qh"):
        n = int(m.group("qn"))
        return "every hour" if n == 1 else f"every {number_to_words(n)} hours"
    if m.group("abbr"):
        return ABBREVIATIONS[text][0]
    if m.group("num"):
        return decimal_words(text)
    return text  # pragma: no cover - every group is handled above


_ROMAN = {"II": 2, "III": 3, "IV": 4, "VI": 6, "VII": 7, "VIII": 8, "IX": 9, "XI": 11, "XII": 12}
_ROMAN_RE = re.compile(r"(?<![\w-])(XII|XI|IX|VIII|VII|VI|IV|III|II)(?![\w+-])")
# "IV" is the intravenous route only next to a dose or a word of giving; elsewhere it is a numeral
# ("stage IV", "Mucolipidosis IV").
_IV_ROUTE = re.compile(
    r"(?:\d\s?[a-zA-Zµ/%]+\s+|\b(?:given|via|by|start|started|an|the|and|or|needs|receive|received)\s+)IV\b"
    r"|\bIV(?=\s+(?:push|fluids?|antibiotics?|access|line|drip|infusion|bolus|iron|therapy|q\d|every|daily)\b)",
)


def _romans(text: str) -> str:
    route = {m.end() - 2 if m.group(0).endswith("IV") else m.start() for m in _IV_ROUTE.finditer(text)}
    return _ROMAN_RE.sub(lambda m: m.group(0) if m.start() in route else number_to_words(_ROMAN[m.group(0)]), text)


def to_spoken(written: str) -> str:
    """How a clinician would say ``written``: numbers, doses, units, dates and abbreviations in words.

    >>> to_spoken("metformin 500 mg b.i.d.")
    'metformin five hundred milligrams twice daily'
    """
    out = _TOKEN.sub(_spoken_token, _romans(written))
    out = out.replace("%", " percent")
    return re.sub(r"\s+", " ", out).strip()


# ---- spoken -> written -------------------------------------------------------------------
_WORD_VALUE = {w: i for i, w in enumerate(_ONES)} | {w: 10 * i for i, w in enumerate(_TENS) if w != "_"}
_WORD_VALUE["oh"] = 0
_SCALE_VALUE = {"hundred": 100, "thousand": 1000, "million": 10**6}
_UNIT_FROM_WORDS: dict[str, str] = {}
for _u, (_s, _p) in UNITS.items():
    _UNIT_FROM_WORDS.setdefault(_p, _u)
    _UNIT_FROM_WORDS.setdefault(_s, _u)
_LETTERS_TO_ABBR = {v: k for k, v in LETTER_SPOKEN.items()}


def parse_number(words: list[str], i: int) -> tuple[str, int] | None:
    """Parse number words starting at ``words[i]``; return (digits, next index)."""
    total, current, j, seen = 0, 0, i, False
    while j < len(words):
        w = words[j].lower().strip(",")
        if w in _WORD_VALUE and w != "oh":
            v = _WORD_VALUE[w]
            if seen and current % 10 != 0 and v < 10:
                break  # "five five" is two numbers
            if seen and current % 100 != 0 and v >= 10:
                break  # "twenty twenty" is two numbers
            current += v
            seen = True
        elif w == "hundred" and seen:
            current *= 100
        elif w in ("thousand", "million") and seen:
            total += current * _SCALE_VALUE[w]
            current = 0
        else:
            break
        j += 1
    if not seen:
        return None
    value = str(total + current)
    if j + 1 < len(words) and words[j].lower() == "point" and words[j + 1].lower() in _WORD_VALUE:
        digits = []
        j += 1
        while j < len(words) and words[j].lower() in _WORD_VALUE and _WORD_VALUE[words[j].lower()] < 10:
            digits.append(str(_WORD_VALUE[words[j].lower()]))
            j += 1
        value += "." + "".join(digits)
    return value, j


def to_written(spoken: str) -> str:
    """Inverse of :func:`to_spoken` where well defined.

    >>> to_written("metformin five hundred milligrams twice daily")
    'metformin 500 mg twice daily'
    """
    text = spoken
    for letters, abbr in sorted(_LETTERS_TO_ABBR.items(), key=lambda kv: -len(kv[0])):
        text = re.sub(rf"(?<!\w){re.escape(letters)}(?!\w)", abbr, text)
    words = text.split()
    out: list[str] = []
    i = 0
    while i < len(words):
        parsed = parse_number(words, i)
        if parsed is None:
            out.append(words[i])
            i += 1
            continue
        value, j = parsed
        # a unit phrase after the number (longest first, up to four words)
        for n in (4, 3, 2, 1):
            phrase = " ".join(w.lower() for w in words[j : j + n])
            if len(words[j : j + n]) == n and phrase in _UNIT_FROM_WORDS:
                unit = _UNIT_FROM_WORDS[phrase]
                out.append(f"{value}{unit}" if unit == "%" else f"{value} {unit}")
                j += n
                break
        else:
            out.append(value)
        i = j
    return " ".join(out)
