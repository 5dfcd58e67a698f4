"""Which writing system a character belongs to.

Standard library only: language identification (``hamkke.langid``) uses it
in the gateway, and the spelling corrector (``nlu_components/spelling.py``)
inside Rasa's environment.
"""

from __future__ import annotations


def script(ch: str) -> str:
    """``hangul``, ``cyrillic``, ``latin`` (with its accented letters), ``other`` letters, or ``none``."""
    code = ord(ch)
    if 0xAC00 <= code <= 0xD7A3 or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "hangul"
    if 0x0400 <= code <= 0x04FF:
        return "cyrillic"
    if ch.isascii() and ch.isalpha():
        return "latin"
    if 0x00C0 <= code <= 0x024F or 0x1E00 <= code <= 0x1EFF:
        return "latin"
    if ch.isalpha():
        return "other"
    return "none"
