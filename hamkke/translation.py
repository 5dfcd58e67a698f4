"""Machine translation for the staff console, with official terms kept intact.

Staff who read Korean (or English) answer residents who write Russian,
Vietnamese, English or Korean. :class:`Translator` sends a message to the
engine chosen in the settings (LibreTranslate, Papago, DeepL or Google,
through deep-translator) and returns a :class:`Translation` that says what
went wrong instead of raising: no engine configured, the engine too slow, or
the engine failing.

Three rules hold for every call:

* Only masked text leaves the process: :func:`hamkke.privacy.mask` runs on
  the text before it is sent, even though callers pass masked text already.
  A staff member's own draft may keep its office numbers and addresses
  (``mask_personal_data=False``): the engine still sees masks, and the
  originals are put back into the translation locally.
* Engines paraphrase official names ("карта культуры" for 문화누리카드) and
  mangle codes and numbers. :class:`Glossary` (``data/glossary.yml``)
  replaces official terms, visa codes, phone and helpline numbers, amounts
  in won, web addresses and masks by placeholders first, and puts back the
  agreed rendering in the target language afterwards. A placeholder the
  engine lost is appended in brackets rather than dropped.
* deep-translator's calls block and have no timeout (its clients call
  ``requests`` without one and take none). Each runs on a small pool of
  daemon threads of the translator's own (a hung engine cannot starve the
  default executor, nor keep the process from exiting) under
  ``asyncio.wait_for``; a call that misses the deadline is abandoned and
  reported as ``"timeout"``.

Log lines name the engine and the exception type, never the text.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import queue
import re
import threading
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional

import yaml

from hamkke import SUPPORTED_LANGUAGES, privacy
from hamkke.config import PROJECT_ROOT, Settings
from hamkke.folding import fold
from hamkke.privacy import CARD_MASK, EMAIL_MASK, PHONE_MASK, RRN_MASK, mask, normalise

log = logging.getLogger(__name__)

GLOSSARY_PATH = PROJECT_ROOT / "data" / "glossary.yml"

PROVIDERS = ("libre", "papago", "deepl", "google")
"""The engines :class:`Translator` knows (``Settings.translation_provider``)."""

NOT_CONFIGURED = "not_configured"
TIMEOUT = "timeout"
PROVIDER_ERROR = "provider_error"

# Calls in flight at once. A hung call holds its thread until the engine
# answers or drops the connection; later calls queue and time out on their own.
_WORKERS = 4
_THREAD_NAME = "hamkke-translation"

# What each engine calls our languages. deep-translator's own tables lack
# Russian for Papago (and map Papago's codes to names it then sends), and
# Korean and Vietnamese for DeepL, so these codes are set on the client
# directly (see _client).
_SOURCE_CODES: dict[str, dict[str, str]] = {
    "libre": {"ko": "ko", "en": "en", "ru": "ru", "vi": "vi"},
    "papago": {"ko": "ko", "en": "en", "ru": "ru", "vi": "vi"},
    "google": {"ko": "ko", "en": "en", "ru": "ru", "vi": "vi"},
    "deepl": {"ko": "KO", "en": "EN", "ru": "RU", "vi": "VI"},
}
_TARGET_CODES: dict[str, dict[str, str]] = {
    **_SOURCE_CODES,
    "deepl": {"ko": "KO", "en": "EN-US", "ru": "RU", "vi": "VI"},
}

# deep-translator 1.11.4 (its latest release) still calls APIs these engines
# have retired; the settings accept them, the log says why they fail.
_RETIRED = {
    "papago": "deep-translator's Papago client calls the NAVER Developers API, closed on 29 February 2024 "
              "(Papago moved to NAVER Cloud Platform)",
    "deepl": "deep-translator's DeepL client sends auth_key in a GET query, which DeepL no longer accepts "
             "(since January 2026: POST with an Authorization header)",
}


@dataclass(frozen=True)
class Translation:
    """The outcome of :meth:`Translator.translate`.

    ``text`` is the translation, or ``None`` when there is none; ``error`` is
    ``None`` when all went well, else ``"not_configured"``, ``"timeout"`` or
    ``"provider_error"``. Source and target languages that are the same are
    not an error: ``text`` is then the input itself. ``provider`` is the
    configured engine ("libre", "papago", "deepl", "google"), "" when none is.
    """

    text: Optional[str]
    source: str
    target: str
    provider: str
    error: Optional[str] = None

    @property
    def ok(self) -> bool:
        """Whether ``text`` holds a translation (or the input, for one language)."""
        return self.error is None


# --- The glossary ------------------------------------------------------------


class GlossaryError(ValueError):
    """A glossary file that breaks the format described at its top."""


@dataclass(frozen=True)
class GlossaryEntry:
    """One official term: its Korean form, renderings and other spellings."""

    term: str
    renderings: Mapping[str, str]
    spellings: Mapping[str, tuple[str, ...]]

    def render(self, language: str) -> str:
        """The agreed rendering in ``language`` (the Korean term if it has none)."""
        return self.renderings.get(language, self.term)

    def korean_spellings(self) -> tuple[str, ...]:
        """The Korean term and its other Korean spellings."""
        return (self.term, *self.spellings.get("ko", ()))

    def spellings_in(self, language: str) -> tuple[str, ...]:
        """How a message in ``language`` may write the term (not yet as patterns)."""
        found: list[str] = list(self.korean_spellings())
        for lang in dict.fromkeys(("en", language)):
            if lang == "ko" or lang not in self.renderings:
                continue
            found.append(_without_korean_bracket(self.renderings[lang]))
            found.extend(self.spellings.get(lang, ()))
        return tuple(dict.fromkeys(s for s in found if s.strip()))


@dataclass(frozen=True)
class Protected:
    """A piece of a message that a placeholder stands for during translation.

    ``kept`` is the text put back verbatim; with an ``entry`` the entry's
    rendering in the target language is put back instead. ``start`` is where
    the piece began in the text given to :meth:`Glossary.protect`.
    """

    token: str
    kept: str
    entry: Optional[GlossaryEntry] = None
    start: int = -1

    def render(self, language: str) -> str:
        """What replaces the placeholder in a translation into ``language``."""
        return self.entry.render(language) if self.entry is not None else self.kept


_HANGUL = "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"
_HAS_HANGUL = re.compile(f"[{_HANGUL}]")
# A letter or digit of a script with spaces between words (not Hangul, which
# takes particles: 문화누리카드를).
_WORD_CHAR = f"[^\\W{_HANGUL}]"
_QUOTES = "«»\"“”„‘’'"
_KOREAN_BRACKET = re.compile(f"\\s*\\([^()]*[{_HANGUL}][^()]*\\)\\s*$")


def _without_korean_bracket(rendering: str) -> str:
    """ "Culture Nuri card (문화누리카드)" -> "Culture Nuri card"."""
    return _KOREAN_BRACKET.sub("", rendering).strip()


def _spelling_pattern(spelling: str) -> str:
    """A regular expression for one spelling, matched against folded text."""
    words = fold(spelling).split()
    korean = bool(_HAS_HANGUL.search(spelling))
    parts = []
    for word in words:
        out = []
        for ch in word:
            if ch == "*":
                out.append(f"{_WORD_CHAR}*")
            elif ch in _QUOTES:
                out.append(f"[{re.escape(_QUOTES)}]?")
            else:
                out.append(re.escape(ch))
        parts.append("".join(out))
    body = (r"\s*" if korean else r"\s+").join(parts)
    letters = [ch for ch in fold(spelling) if ch not in _QUOTES and not ch.isspace()]
    if not letters:
        return "(?!)"
    left = "" if _HAS_HANGUL.match(letters[0]) else f"(?<!{_WORD_CHAR})"
    right = "" if _HAS_HANGUL.match(letters[-1]) else f"(?!{_WORD_CHAR})"
    return left + body + right


def _entry_pattern(entry: GlossaryEntry, language: str) -> re.Pattern[str]:
    spellings = sorted(entry.spellings_in(language), key=lambda s: len(fold(s)), reverse=True)
    korean = "|".join(_spelling_pattern(s) for s in
                      sorted(entry.korean_spellings(), key=len, reverse=True))
    # "карта культуры (문화누리카드)" or "주민센터(행정복지센터)" is one term.
    bracket = f"(?:\\s*\\(\\s*(?:{korean})(?:\\s*[/,·]\\s*(?:{korean}))*\\s*\\))?"
    alternatives = "|".join(_spelling_pattern(s) for s in spellings)
    return re.compile(f"(?:{alternatives}){bracket}", re.IGNORECASE)


# Placeholders: engines copy unknown Latin tokens with digits. Restoring
# forgives a changed case, spaces inside and Cyrillic look-alike letters.
_TOKEN_RE = re.compile(r"[XxХх]\s?[TtТт]\s?(\d{1,3})\s?[XxХх]")


def _token(index: int) -> str:
    return f"XT{index}X"


# Korean visa codes: F-4, E-9, F-2-7; also typed f4 (D, E, F and H only: "B2"
# is more often a level of English) or with Cyrillic look-alikes (Е-9).
_VISA_LOOKALIKE = str.maketrans("АВСДЕГНФ", "ABCDEGHF")
_VISA = re.compile(
    r"(?<![0-9A-Za-zА-Яа-яЁё-])"
    r"(?:(?P<latin>[A-Ha-h])-|(?P<bare>[DEFHdefh])|(?P<cyrillic>[АВСДЕГНФ])-)(?P<number>\d{1,2}(?:-\d{1,2})?)"
    r"(?![0-9A-Za-zА-Яа-яЁё]|-\d)"
)
# Phone numbers (in a masked text, only helplines are left; protect() may see
# unmasked text too):
# 1345, 1577-1366, 112, 119, 02-123-4567, 010-1234-5678. Never part of a
# longer run of digits (a card number).
_PHONE = re.compile(
    r"(?<![\d+-])(?<!\d[\s.])"
    r"(?:"
    r"(?:\+82[\s.-]?)?0\d{1,2}[\s.)-]?\d{3,4}[\s.-]?\d{4}"
    r"|1[5-9]\d{2}-?\d{4}"
    r"|13\d{2}|11[0-9]|12[0-9]|13[12]|182"
    r")"
    r"(?![\d-]|[\s.,]\d)"
)
_NUMBER = r"\d{1,3}(?:[,.\u00a0\u202f ]\d{3})+(?:[.,]\d+)?|\d+(?:[.,]\d+)?"
_MULTIPLIER = r"(?:k|K|тыс\.?|тысяч[аи]?|млн\.?|миллион(?:а|ов)?|nghìn|ngàn|triệu|thousand|million)"
_KOREAN_NUMBER = rf"(?:\d+(?:[.,]\d+)?\s?(?:억|천만|백만|십만|만|천|백)\s?)+(?:{_NUMBER})?"
_WON = r"(?:원|won\b|Won\b|WON\b|KRW\b|вон(?:а|ов|ы)?(?![А-Яа-яЁё]))"
_AMOUNT = re.compile(
    rf"(?<![\d.,A-Za-z-])(?:"
    rf"(?:₩|KRW\s?)\s?(?:{_NUMBER})(?:\s?{_MULTIPLIER})?"
    rf"|(?:{_KOREAN_NUMBER}|(?:{_NUMBER})(?:\s?{_MULTIPLIER})?)\s?{_WON}"
    rf")"
)
_URL = re.compile(
    r"(?:https?://|www\.)[^\s<>\"]*[^\s<>\".,;:!?)\]]"
    r"|(?<![\w@.-])[a-z0-9-]+(?:\.[a-z0-9-]+)*\.(?:kr|com|org|net|info)\b(?:/[^\s<>\"]*[^\s<>\".,;:!?)\]])?",
    re.IGNORECASE,
)
_MASK_MARKERS = (PHONE_MASK, RRN_MASK, EMAIL_MASK, CARD_MASK)
_MASKS = re.compile("|".join(re.escape(m) for m in _MASK_MARKERS))


def _visa(match: re.Match[str]) -> str:
    letter = match.group("latin") or match.group("bare") or match.group("cyrillic").translate(_VISA_LOOKALIKE)
    return f"{letter.upper()}-{match.group('number')}"


# Kept verbatim, in order of preference where two overlap equally.
_VERBATIM: tuple[tuple[re.Pattern[str], Optional[Callable[[re.Match[str]], str]]], ...] = (
    (_TOKEN_RE, None),  # text that already looks like a placeholder
    (_MASKS, None),
    (_URL, None),
    (_AMOUNT, None),
    (_PHONE, None),
    (_VISA, _visa),
)


def _stamp(path: Path) -> Optional[tuple[int, int]]:
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _read_glossary(path: Path) -> tuple[GlossaryEntry, ...]:
    records = yaml.safe_load(path.read_text(encoding="utf-8"))
    if records is None:
        return ()
    if not isinstance(records, list):
        raise GlossaryError(f"{path.name}: expected a list of records")
    entries = []
    seen: set[str] = set()
    for number, record in enumerate(records, 1):
        where = f"{path.name}, record {number}"
        if not isinstance(record, dict):
            raise GlossaryError(f"{where}: expected a mapping")
        unknown = set(record) - {*SUPPORTED_LANGUAGES, "also"}
        if unknown:
            raise GlossaryError(f"{where}: unknown fields {sorted(unknown)}")
        renderings: dict[str, str] = {}
        for lang in SUPPORTED_LANGUAGES:
            value = record.get(lang)
            if not isinstance(value, str) or not value.strip():
                raise GlossaryError(f"{where}: {lang} must be a non-empty string")
            renderings[lang] = _normalise(value)
        if not _HAS_HANGUL.search(renderings["ko"]):
            raise GlossaryError(f"{where}: ko must be Korean")
        also = record.get("also") or {}
        if not isinstance(also, dict) or set(also) - set(SUPPORTED_LANGUAGES):
            raise GlossaryError(f"{where}: also must map ko, en, ru or vi to lists of spellings")
        spellings: dict[str, tuple[str, ...]] = {}
        for lang, values in also.items():
            if not isinstance(values, list) or not all(isinstance(v, str) and v.strip() for v in values):
                raise GlossaryError(f"{where}: also.{lang} must be a list of spellings")
            spellings[lang] = tuple(_normalise(v) for v in values)
        term = renderings["ko"]
        if term in seen:
            raise GlossaryError(f"{where}: {term} is listed twice")
        seen.add(term)
        entries.append(GlossaryEntry(term=term, renderings=renderings, spellings=spellings))
    return tuple(entries)


def _normalise(text: str) -> str:
    return unicodedata.normalize("NFC", text.strip())


class Glossary:
    """Official terms and verbatim patterns, protected from machine translation.

    Built by :meth:`load` from ``data/glossary.yml`` (its format is described
    at the top of the file). With a ``path``, the file is read again whenever
    its modification time or size changes; a file that no longer parses is
    logged and the previous version stays in use. ``Glossary(path=...)``
    reads the file lazily and tolerates a broken one; :meth:`load` raises.
    """

    def __init__(self, entries: Sequence[GlossaryEntry] = (), path: Optional[Path] = None) -> None:
        self._entries: tuple[GlossaryEntry, ...] = tuple(entries)
        self._path = path
        self._stamp: Optional[tuple[int, int]] = None
        self._patterns: dict[str, list[tuple[GlossaryEntry, re.Pattern[str]]]] = {}
        self._lock = threading.Lock()

    @classmethod
    def load(cls, path: Path = GLOSSARY_PATH) -> Glossary:
        """Read a glossary file now.

        Raises:
            OSError: The file cannot be read.
            GlossaryError: The file breaks the format (YAML errors included).
        """
        glossary = cls(path=path)
        glossary._stamp = _stamp(path)
        try:
            glossary._entries = _read_glossary(path)
        except yaml.YAMLError as exc:
            raise GlossaryError(f"{path.name}: not valid YAML ({exc})") from exc
        return glossary

    @property
    def entries(self) -> tuple[GlossaryEntry, ...]:
        """The entries, from the file as it is now."""
        self._refresh()
        return self._entries

    def _refresh(self) -> None:
        if self._path is None:
            return
        stamp = _stamp(self._path)
        if stamp == self._stamp:
            return
        with self._lock:
            if stamp == self._stamp:
                return
            self._stamp = stamp
            if stamp is None:
                log.warning("glossary %s is missing; keeping %d terms", self._path.name, len(self._entries))
                return
            try:
                entries = _read_glossary(self._path)
            except (OSError, yaml.YAMLError, GlossaryError) as exc:
                log.error("glossary %s not (re)loaded, keeping %d terms: %s", self._path.name,
                          len(self._entries), exc)
                return
            self._entries = entries
            self._patterns = {}
            log.info("glossary %s loaded: %d terms", self._path.name, len(entries))

    def _entry_patterns(self, language: str) -> list[tuple[GlossaryEntry, re.Pattern[str]]]:
        patterns = self._patterns.get(language)
        if patterns is None:
            patterns = [(entry, _entry_pattern(entry, language)) for entry in self._entries]
            self._patterns[language] = patterns
        return patterns

    def protect(self, text: str, source: str) -> tuple[str, list[Protected]]:
        """Replace official terms and verbatim patterns in ``text`` by placeholders.

        Args:
            text: The message, in ``source``.
            source: Its language (``ko``, ``en``, ``ru`` or ``vi``): Korean and
                English spellings are recognised in every language, the others
                only in their own.

        Returns:
            The text with placeholders, and what each placeholder stands for
            (to hand to :meth:`restore`).
        """
        self._refresh()
        patterns = self._entry_patterns(source)
        folded = fold(text)
        haystack = folded if len(folded) == len(text) else text
        # (start, end, preference, kept, entry)
        found: list[tuple[int, int, int, str, Optional[GlossaryEntry]]] = []
        for preference, (pattern, keep) in enumerate(_VERBATIM):
            for match in pattern.finditer(text):
                kept = keep(match) if keep is not None else match.group(0)
                found.append((match.start(), match.end(), preference, kept, None))
        for entry, pattern in patterns:
            for match in pattern.finditer(haystack):
                if match.end() > match.start():
                    found.append((match.start(), match.end(), len(_VERBATIM), text[match.start():match.end()], entry))
        found.sort(key=lambda f: (f[0], f[0] - f[1], f[2]))
        pieces: list[str] = []
        saved: list[Protected] = []
        position = 0
        for start, end, _preference, kept, term in found:
            if start < position:
                continue
            token = _token(len(saved))
            pieces += [text[position:start], token]
            saved.append(Protected(token=token, kept=kept, entry=term, start=start))
            position = end
        pieces.append(text[position:])
        return "".join(pieces), saved

    def restore(self, translated: str, target: str, saved: Sequence[Protected]) -> str:
        """Put back what the placeholders of :meth:`protect` stand for.

        A term goes back as its agreed rendering in ``target``, anything else
        verbatim. Placeholders the engine lost are appended at the end in
        square brackets, so that no term silently disappears.
        """
        seen: set[int] = set()

        def put_back(match: re.Match[str]) -> str:
            index = int(match.group(1))
            if index >= len(saved):
                return match.group(0)
            seen.add(index)
            return saved[index].render(target)

        restored = _TOKEN_RE.sub(put_back, translated)
        missing = list(dict.fromkeys(p.render(target) for i, p in enumerate(saved) if i not in seen))
        if missing:
            restored = f"{restored.rstrip()} [{'; '.join(missing)}]"
        return restored


# --- The translator ----------------------------------------------------------

# One private-use character stands for each piece of personal data while
# privacy.mask's steps are replayed (see _mask_keeping).
_SENTINEL = 0xE000
_SENTINELS = 0x1900


def _mask_keeping(text: str) -> tuple[str, dict[int, str]]:
    """``mask(text)``, and what each mask in it replaced, by the mask's position.

    Replays :func:`hamkke.privacy.mask` step by step, recording what each
    step replaces. Should the replay ever differ from ``mask()`` (privacy.py
    changed), nothing is recorded: the masked text alone is always safe.
    """
    masked = mask(text)
    replay = normalise(text)
    if any(_SENTINEL <= ord(ch) < _SENTINEL + _SENTINELS for ch in replay):
        return masked, {}
    found: list[tuple[str, str]] = []

    def hide(marker: str) -> Callable[[re.Match[str]], str]:
        def sub(match: re.Match[str]) -> str:
            found.append((marker, match.group(0)))
            return chr(_SENTINEL + len(found) - 1)
        return sub

    for pattern, marker in ((privacy._EMAIL, EMAIL_MASK), (privacy._RRN, RRN_MASK), (privacy._PHONE, PHONE_MASK),
                            (privacy._CARD, CARD_MASK)):
        replay = pattern.sub(hide(marker), replay)
    if len(found) >= _SENTINELS:
        return masked, {}
    pieces: list[str] = []
    originals: dict[int, str] = {}
    length = 0
    for ch in replay:
        index = ord(ch) - _SENTINEL
        if 0 <= index < len(found):
            marker, original = found[index]
            originals[length] = original
            ch = marker
        pieces.append(ch)
        length += len(ch)
    if "".join(pieces) != masked:
        return masked, {}
    return masked, originals



def _language(code: str) -> str:
    language = code.strip().lower().replace("_", "-").split("-")[0]
    if language not in SUPPORTED_LANGUAGES:
        raise ValueError(f"unsupported language {code!r}")
    return language


class ProviderError(RuntimeError):
    """An engine's answer that holds no translation."""


def _client(settings: Settings, source: str, target: str) -> Any:
    """A deep-translator client for ``source`` -> ``target`` (no network yet)."""
    from deep_translator import DeeplTranslator, GoogleTranslator, LibreTranslator, PapagoTranslator

    provider = settings.translation_provider
    src, dst = _SOURCE_CODES[provider][source], _TARGET_CODES[provider][target]
    if provider == "libre":
        return LibreTranslator(source=src, target=dst, api_key=settings.translation_api_key.get() or "none",
                               use_free_api=False, custom_url=settings.translation_url.rstrip("/") + "/")
    if provider == "google":
        return GoogleTranslator(source=src, target=dst)
    if provider == "papago":
        client = PapagoTranslator(client_id=settings.translation_api_key.get(),
                                  secret_key=settings.translation_api_secret.get(), source="auto", target="auto")
    else:
        key = settings.translation_api_key.get()
        # DeepL's free-plan keys end in ":fx" and have their own host.
        client = DeeplTranslator(api_key=key, source="auto", target="auto", use_free_api=key.endswith(":fx"))
    # Set past deep-translator's language tables (see _SOURCE_CODES).
    client.source, client.target = src, dst
    return client


def _call(settings: Settings, text: str, source: str, target: str) -> str:
    """One blocking call to the engine (runs on the translator's :class:`_DaemonPool`)."""
    result = _client(settings, source, target).translate(text)
    if not isinstance(result, str):
        raise ProviderError("no translation in the answer")
    return result


class _DaemonPool:
    """Up to ``size`` daemon threads running blocking calls in turn.

    What :class:`~concurrent.futures.ThreadPoolExecutor` does, except that
    the interpreter does not wait for these threads at exit: a call hung on
    an engine (deep-translator sets no HTTP timeout) must not keep the
    gateway from stopping. Threads start as calls need them and stay for the
    next ones. A call cancelled before it starts (its deadline passed while
    it queued) never runs.
    """

    def __init__(self, size: int, name: str) -> None:
        self._size = size
        self._name = name
        self._queue: queue.SimpleQueue[Optional[tuple[Future[Any], Callable[[], Any]]]] = queue.SimpleQueue()
        self._idle = threading.Semaphore(0)  # threads waiting for a call
        self._threads: list[threading.Thread] = []
        self._lock = threading.Lock()
        self._closed = False

    def submit(self, fn: Callable[[], Any]) -> Future[Any]:
        """Queue ``fn``; the future holds its result or exception."""
        future: Future[Any] = Future()
        with self._lock:
            if self._closed:
                raise RuntimeError("the pool is shut down")
            self._queue.put((future, fn))
            if not self._idle.acquire(blocking=False) and len(self._threads) < self._size:
                thread = threading.Thread(target=self._work, name=f"{self._name}_{len(self._threads)}", daemon=True)
                thread.start()
                self._threads.append(thread)
        return future

    def _work(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:  # shut down
                return
            future, fn = item
            del item
            if future.set_running_or_notify_cancel():
                try:
                    result = fn()
                except BaseException as exc:
                    future.set_exception(exc)
                else:
                    future.set_result(result)
            del future, fn  # no references kept while idle
            self._idle.release()

    def shutdown(self) -> None:
        """Cancel the queued calls and let each thread end after its current one.

        Returns at once: a thread on a hung call ends when the call does, or
        with the process.
        """
        with self._lock:
            if self._closed:
                return
            self._closed = True
            threads = len(self._threads)
        while True:
            try:
                item = self._queue.get_nowait()
            except queue.Empty:
                break
            if item is not None:
                item[0].cancel()
        for _ in range(threads):
            self._queue.put(None)


class Translator:
    """Translates between ko, en, ru and vi with the engine of the settings.

    Args:
        settings: ``translation_provider`` ("" for none, "libre", "papago",
            "deepl", "google"), ``translation_url`` (LibreTranslate's
            address), ``translation_api_key`` (Papago's client id),
            ``translation_api_secret`` (Papago's client secret) and
            ``translation_timeout_s``.
        glossary: The terms to protect; by default ``data/glossary.yml``,
            followed as it changes.
    """

    def __init__(self, settings: Settings, glossary: Optional[Glossary] = None) -> None:
        self._settings = settings
        self._provider = settings.translation_provider.strip().lower()
        if self._provider and self._provider not in PROVIDERS:
            log.warning("unknown translation provider %r: translation is off", self._provider)
        if self._provider in _RETIRED:
            log.warning("translation provider %s: %s; expect provider_error", self._provider,
                        _RETIRED[self._provider])
        if glossary is None:
            try:
                glossary = Glossary.load()
            except (OSError, GlossaryError) as exc:
                log.error("glossary not loaded, translating without it until it is fixed: %s", exc)
                glossary = Glossary(path=GLOSSARY_PATH)
        self.glossary = glossary
        self._pool: Optional[_DaemonPool] = None

    @property
    def provider(self) -> str:
        """The configured engine's name, "" when none is."""
        return self._provider

    @property
    def configured(self) -> bool:
        """Whether an engine is chosen and has what it needs (address, keys)."""
        settings = self._settings
        if self._provider == "libre":
            return bool(settings.translation_url)
        if self._provider == "papago":
            return bool(settings.translation_api_key) and bool(settings.translation_api_secret)
        if self._provider == "deepl":
            return bool(settings.translation_api_key)
        return self._provider == "google"

    def _executor(self) -> _DaemonPool:
        if self._pool is None:
            self._pool = _DaemonPool(_WORKERS, _THREAD_NAME)
        return self._pool

    async def translate(self, text: str, source: str, target: str, *,
                        mask_personal_data: bool = True) -> Translation:
        """Translate ``text`` from ``source`` into ``target``.

        Never raises for an engine's failure: the :class:`Translation` says
        what happened. The text is masked before it leaves the process.

        Args:
            text: The message (masked already, as everywhere in the app).
            source: Its language: ``ko``, ``en``, ``ru`` or ``vi`` (a region
                such as ``ko-KR`` is ignored).
            target: The language wanted.
            mask_personal_data: With ``False`` (a staff member's draft that
                gives an office's number or e-mail address), the phone
                numbers, e-mail addresses and other personal data that
                masking hides from the engine come back as written in the
                translation. The engine sees masks either way.

        Raises:
            ValueError: A language other than ko, en, ru and vi.
        """
        source, target = _language(source), _language(target)
        if source == target:
            return Translation(text, source, target, self._provider)
        if not self.configured:
            return Translation(None, source, target, self._provider, NOT_CONFIGURED)
        if not text.strip():
            return Translation(text, source, target, self._provider)
        # Masked first: personal data becomes [PHONE], [EMAIL]... before the
        # glossary sees it (the numbers left are helplines: 1345, 1577-1366).
        # Originals kept for a staff draft stay here, by their mask's position.
        masked, originals = (mask(text), {}) if mask_personal_data else _mask_keeping(text)
        outgoing, saved = self.glossary.protect(masked, source)
        if originals:  # put back locally, never sent
            saved = [replace(p, kept=originals[p.start])
                     if p.entry is None and p.kept in _MASK_MARKERS and p.start in originals else p
                     for p in saved]
        call = functools.partial(_call, self._settings, outgoing, source, target)
        timeout = self._settings.translation_timeout_s
        try:
            # Cancelling the wrapped future at the deadline cancels a call
            # still queued; one already running is left to finish unheard.
            translated = await asyncio.wait_for(asyncio.wrap_future(self._executor().submit(call)), timeout)
        except asyncio.TimeoutError:
            log.warning("translation %s->%s by %s timed out after %.1f s", source, target, self._provider, timeout)
            return Translation(None, source, target, self._provider, TIMEOUT)
        except Exception as exc:
            # The type only: deep-translator's messages quote the text or the key.
            log.warning("translation %s->%s by %s failed: %s", source, target, self._provider, type(exc).__name__)
            return Translation(None, source, target, self._provider, PROVIDER_ERROR)
        return Translation(self.glossary.restore(translated, target, saved), source, target, self._provider)

    async def close(self) -> None:
        """Shut the thread pool down without waiting for calls still running.

        Queued calls are cancelled. A call that hangs keeps its (daemon)
        thread until the engine answers or drops the connection, or the
        process exits. The translator stays usable: the next call starts a
        new pool.
        """
        pool, self._pool = self._pool, None
        if pool is not None:
            pool.shutdown()
