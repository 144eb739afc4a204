"""Names that show as they were written: county names and provinces end up in reports, Word and
Excel files, CSV cells and log lines, so no code point in them may hide, reorder or break the text
around it, or make an XML document (DOCX, XLSX) impossible to write.

Refused (Unicode general category, or the noncharacter property):

- ``Cc``: C0 and C1 controls (NUL, TAB, ESC, NEL, CSI ...);
- ``Cf``: format characters, among them every bidirectional mark, embedding, override and isolate
  (LRM, RLM, ALM, U+202A-U+202E, U+2066-U+2069), the zero-width characters, the byte-order mark,
  the soft hyphen and the tag characters;
- ``Zl``, ``Zp``: the line and paragraph separators;
- ``Cs``: lone surrogates;
- noncharacters: U+FDD0-U+FDEF and the last two code points of every plane (U+FFFE, U+FFFF,
  U+1FFFE ...), which XML 1.0 forbids;
- more than :data:`MAX_MARKS` combining marks on one character (text stacked out of its line).

A name that is empty once its spaces are stripped is blank, and refused too.
"""

from __future__ import annotations

import re
import unicodedata

from pydantic_core import PydanticCustomError

MAX_MARKS = 4
_REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp", "Cs"})
_MARKS = frozenset({"Mn", "Me"})


def is_noncharacter(ch: str) -> bool:
    """The 66 noncharacters of Unicode.

    >>> [is_noncharacter(c) for c in ("\\ufdd0", "\\ufffe", "\\U0001ffff", "\\ufffd", "a")]
    [True, True, True, False, False]
    """
    point = ord(ch)
    return 0xFDD0 <= point <= 0xFDEF or point & 0xFFFE == 0xFFFE


# What XML 1.0 cannot carry at all: C0 controls but tab, line feed and carriage return, and lone
# surrogates (noncharacters are dropped through is_noncharacter).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff]")


def xml_text(text: str) -> str:
    """``text`` without what an XML document (DOCX, XLSX) cannot hold. Names are refused at input
    with these characters, but a document also prints what was stored before that check and
    what other fields carry; dropping them there keeps a Word or Excel answer from failing.

    >>> xml_text("De\\ufffeq\\x01ing\\tA")
    'Deqing\\tA'
    """
    text = _NOT_XML.sub("", text)
    return "".join(ch for ch in text if not is_noncharacter(ch))


def refused_character(text: str) -> str | None:
    """The first code point of ``text`` a name may not hold, in U+ notation (``U+200E``), else
    None.

    >>> refused_character("德清县"), refused_character("De\\u200eqing"), refused_character("a\\x85")
    (None, 'U+200E', 'U+0085')
    """
    marks = 0
    for ch in text:
        category = unicodedata.category(ch)
        marks = marks + 1 if category in _MARKS else 0
        if category in _REFUSED_CATEGORIES or is_noncharacter(ch) or marks > MAX_MARKS:
            return f"U+{ord(ch):04X}"
    return None


def shown_safely(text: str) -> str:
    """A Pydantic after-validator: ``text`` as it is, or ``unsafe_characters`` naming the first
    refused code point, or ``blank``."""
    found = refused_character(text)
    if found is not None:
        raise PydanticCustomError(
            "unsafe_characters",
            "{char} is not allowed: control, format (bidirectional or invisible), separator and "
            "noncharacter code points, and stacks of combining marks, would hide, reorder or "
            "break the text where it is shown",
            {"char": found},
        )
    if not text.strip():
        raise PydanticCustomError("blank", "the text is blank")
    return text
