"""Masking of personal data before it is stored, logged or sent to Rasa.

Korea's Personal Information Protection Act treats resident registration and
alien registration numbers as unique identifiers whose processing is
restricted; phone numbers, e-mail addresses and card or account numbers are
personal data. Everything a resident writes passes through :func:`mask`
before it reaches the database, the logs or the Rasa tracker store.
"""

from __future__ import annotations

import re
import unicodedata

RRN_MASK = "[ID-NUMBER]"
PHONE_MASK = "[PHONE]"
EMAIL_MASK = "[EMAIL]"
CARD_MASK = "[CARD-NUMBER]"

# A separator between groups of digits, as people type them: spaces (a line break too), or one dash of
# any kind, an underscore, a dot or a slash, with spaces around it or not ("900101 - 5123457",
# "900101—5123458", "010/4321/8766"). Bounded: no quadratic scans.
_DASH = "\\-\u2010\u2011\u2012\u2013\u2014\u2015\u2212_./"
_SEP = r"(?:\s{0,3}[" + _DASH + r"]\s{0,3}|\s{1,3})?"

# Resident / alien registration number: YYMMDD-GNNNNNN (G is 1-8 for people
# born in the 1900s/2000s, Korean or foreign). Separators optional.
_RRN = re.compile(r"(?<!\d)\d{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12]\d|3[01])" + _SEP + r"[1-8]\d{6}(?!\d)")

# Korean phone numbers: mobile 010/011/016-019, Seoul 02, area codes 0xx,
# 050x/070 and the +82 international form; also 4-4 service numbers are NOT
# personal (1345, 1577-1366) and are deliberately left alone.
_PHONE = re.compile(
    r"(?<![\d+])\(?(?:\+?82" + _SEP + r"\(?0?\)?" + _SEP + r"|0)"
    r"(?:1[016789]|2|[3-6][1-5]|50\d|70)\)?"
    + _SEP
    + r"\d{3,4}"
    + _SEP
    + r"\d{4}(?!\d)"
)
# Bounded repetitions: no quadratic scans of long messages.
_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]{1,64}@[\w-]{1,63}(?:\.[\w-]{1,63}){1,8}")
# 13-19 digit card or account numbers, in groups or not.
_CARD = re.compile(r"(?<!\d)(?:\d(?:\s{0,2}[\-\u2010-\u2015_]\s{0,2}|\s{1,2})?){12,18}\d(?!\d)")


def normalise(text: str) -> str:
    """Return ``text`` in NFC with full-width digits and signs folded to ASCII, and every other
    decimal digit (Arabic-Indic, mathematical bold, …) folded to 0-9.

    NFKC would also fold compatibility Hangul jamo; only the full-width ASCII
    block (U+FF01-U+FF5E), the ideographic space and decimal digits are folded here.
    """
    folded = []
    for ch in text:
        code = ord(ch)
        if 0xFF01 <= code <= 0xFF5E:
            folded.append(chr(code - 0xFEE0))
        elif ch == "\u3000":
            folded.append(" ")
        elif code > 0x7F and ch.isdecimal():
            folded.append(str(unicodedata.decimal(ch)))
        else:
            folded.append(ch)
    return unicodedata.normalize("NFC", "".join(folded))


def mask(text: str) -> str:
    """Replace registration numbers, phone numbers, e-mails and card numbers.

    >>> mask("내 외국인등록번호 900101-5123456, 010-1234-5678")
    '내 외국인등록번호 [ID-NUMBER], [PHONE]'
    """
    text = normalise(text)
    text = _EMAIL.sub(EMAIL_MASK, text)
    text = _RRN.sub(RRN_MASK, text)
    text = _PHONE.sub(PHONE_MASK, text)
    text = _CARD.sub(CARD_MASK, text)
    return text


def contains_personal_data(text: str) -> bool:
    """Whether :func:`mask` would change anything in ``text``."""
    return mask(text) != normalise(text)
