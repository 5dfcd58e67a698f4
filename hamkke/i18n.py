"""Message catalogs: every sentence the assistant writes, in ko, en, ru and vi.

The catalogs are gettext PO files in ``translations/<lang>/LC_MESSAGES/``,
read with Babel and compiled in memory, so plural forms follow each
language's ``Plural-Forms`` header (three forms in Russian). A ``msgid`` is a
stable key such as ``greet``; the ``msgstr`` is the sentence, with named
``{placeholders}``.
"""

from __future__ import annotations

import datetime as dt
import gettext
import io
from functools import cache
from pathlib import Path
from typing import Any

from babel.dates import format_date
from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from hamkke import SUPPORTED_LANGUAGES
from hamkke.config import PROJECT_ROOT

TRANSLATIONS_DIR = PROJECT_ROOT / "translations"
DOMAIN = "hamkke"


class MissingMessage(KeyError):
    """A key that the catalog of a language does not have."""


# Answers admins keep in the database (FAQ entries), by key then language: they
# win over the catalogs, so an edit is live without a restart (hamkke.answers).
_overrides: dict[str, dict[str, str]] = {}


def set_overrides(answers: dict[str, dict[str, str]]) -> None:
    """Replace the database answers this process serves (``{key: {lang: text}}``)."""
    global _overrides
    _overrides = {key: dict(texts) for key, texts in answers.items()}


def catalog_path(lang: str, root: Path = TRANSLATIONS_DIR) -> Path:
    """Where the PO file of ``lang`` lives."""
    return root / lang / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(lang: str, root: Path = TRANSLATIONS_DIR) -> Catalog:
    """Parse the PO file of ``lang``."""
    with catalog_path(lang, root).open("rb") as fh:
        return read_po(fh, locale=lang)


@cache
def _translations(lang: str) -> gettext.GNUTranslations:
    buf = io.BytesIO()
    write_mo(buf, read_catalog(lang))
    buf.seek(0)
    return gettext.GNUTranslations(buf)


@cache
def keys(lang: str) -> frozenset[str]:
    """The keys that ``lang``'s catalog translates (non-empty ``msgstr``)."""
    out: set[str] = set()
    for message in read_catalog(lang):
        if not message.id:
            continue
        key = str(message.id[0] if isinstance(message.id, (tuple, list)) else message.id)
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        if all(strings):
            out.add(key)
    return frozenset(out)


def has(key: str, lang: str) -> bool:
    """Whether ``key`` is translated into ``lang`` (in the catalog or an admin's answer)."""
    return lang in _overrides.get(key, ()) or key in keys(lang)


def _check(key: str, lang: str) -> None:
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {lang!r}")
    if not has(key, lang):
        raise MissingMessage(f"{key!r} has no {lang} translation")


def long_date(day: dt.date, lang: str) -> str:
    """A date as ``lang`` writes it in a sentence: "February 2, 2026", "2 февраля 2026 г.",
    "2 tháng 2 năm 2026" (sentences say "ngày {date}"), "2026년 2월 2일"."""
    if lang == "vi":  # CLDR's "2 tháng 2, 2026" is not how Vietnamese is written in a sentence
        return f"{day.day} tháng {day.month} năm {day.year}"
    return str(format_date(day, format="long", locale=lang))


def format_arg(name: str, value: Any, lang: str) -> Any:
    """An argument as ``lang`` writes it, chosen by the argument's name.

    ``*_date`` (ISO dates) as the language writes dates ("30 ноября 2026 г.",
    "2026년 11월 30일"), ``*_krw`` as won ("₩150,000"), ``*_key`` as the
    catalog message it names. Anything else is left as it is.
    """
    if name.endswith("_date") and isinstance(value, (str, dt.date)):
        return long_date(dt.date.fromisoformat(value) if isinstance(value, str) else value, lang)
    if name.endswith("_krw") and isinstance(value, int):
        return f"₩{value:,}"
    if name.endswith("_key") and isinstance(value, str):
        return t(value, lang)
    return value


def t(key: str, lang: str, **args: Any) -> str:
    """The sentence ``key`` in ``lang``, with ``args`` put in its placeholders.

    A key with plural forms takes its count from the ``n`` argument.
    Arguments are formatted by :func:`format_arg`.
    """
    _check(key, lang)
    args = {name: format_arg(name, value, lang) for name, value in args.items()}
    override = _overrides.get(key, {}).get(lang)
    if override is not None:
        return override.format(**args) if args else override
    tr = _translations(lang)
    if "n" in args and isinstance(args["n"], int):
        text = tr.ngettext(key, key, args["n"])
    else:
        text = tr.gettext(key)
    return text.format(**args) if args else text


def reload() -> None:
    """Forget the compiled catalogs (after an admin edited a PO file)."""
    _translations.cache_clear()
    keys.cache_clear()
