"""One spelling for words residents type several ways (used by the NLU pipeline).

Vietnamese is typed with or without diacritics ("gia hạn" / "gia han"),
Russian with or without "ё". :func:`fold` maps both spellings to one: Latin
letters lose their diacritics, "đ" becomes "d", "ё" becomes "е". Korean, and
Cyrillic letters other than "ё", are left as they are ("й" is not "и").
Standard library only: Rasa's environment imports it too.
"""

from __future__ import annotations

import unicodedata

_SPECIAL = str.maketrans({"đ": "d", "Đ": "D", "ё": "е", "Ё": "Е"})


def _is_accented_latin(ch: str) -> bool:
    code = ord(ch)
    return 0x00C0 <= code <= 0x024F or 0x1E00 <= code <= 0x1EFF


def fold(text: str) -> str:
    """The folded form of ``text``."""
    out = []
    for ch in unicodedata.normalize("NFC", text.translate(_SPECIAL)):
        if _is_accented_latin(ch):
            out.append("".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c)))
        else:
            out.append(ch)
    return "".join(out)
