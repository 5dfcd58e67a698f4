"""Which of the four languages a resident writes in, and requests to switch.

Order of evidence, cheapest and surest first:

1. Script. Hangul is Korean, Cyrillic is Russian; Han, kana, Thai, Arabic
   and other scripts are languages the assistant does not speak.
2. Vietnamese letters (ă â đ ê ô ơ ư and the tone marks) are Vietnamese.
3. For the rest of Latin script, the words: English words against
   Vietnamese syllables typed without diacritics (a word that cannot be a
   Vietnamese syllable, such as "where" or "help", is evidence against
   Vietnamese).
4. langdetect for longer Latin text that the words leave open, to notice a
   Latin-script language the assistant does not speak (Uzbek, Indonesian…).
5. What stays ambiguous ("ok", "F-4") returns ``None``: the caller keeps the
   resident's remembered language.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Optional

from hamkke import SUPPORTED_LANGUAGES
from hamkke.folding import fold
from hamkke.lexicon import ENGLISH_WORDS, NEUTRAL_TOKENS, VIETNAMESE_SYLLABLES
from hamkke.scripts import script as _script

UNSUPPORTED = "unsupported"

_VI_LETTERS = set("ăâđêôơưĂÂĐÊÔƠƯ")
_VI_SYLLABLE = re.compile(
    r"^(ngh|ng|nh|ch|gh|gi|kh|ph|qu|th|tr|b|c|d|g|h|k|l|m|n|p|r|s|t|v|x)?"
    r"[aeiouy]{1,3}(ch|ng|nh|c|m|n|p|t)?$"
)
_WORD = re.compile(r"[^\W\d_]+", re.UNICODE)


@dataclass(frozen=True)
class Detection:
    """The outcome of :func:`detect`.

    ``language`` is one of ``ko``, ``en``, ``ru``, ``vi``, ``unsupported`` or
    ``None`` when the text does not say; ``confident`` is whether the text
    alone is enough to switch a resident's remembered language.
    """

    language: Optional[str]
    confident: bool
    method: str


# Letters of Cyrillic alphabets other than Russian's (Uzbek, Kazakh, Kyrgyz,
# Ukrainian...). A few of them in a message mean it is not Russian.
_NON_RUSSIAN_CYRILLIC = set("ўқғҳәңөұүһіїєґ")


def _latin_vote(text: str) -> tuple[float, float, int, int, int]:
    """Score English and Vietnamese evidence in Latin text.

    Returns (english, vietnamese, words, unknown words, English-list words).
    """
    en = vi = 0.0
    words = unknown = known_en = 0
    for raw in _WORD.findall(text.lower()):
        if _script(raw[0]) != "latin":
            continue
        word = fold(raw)
        if len(word) < 2 and word not in ("i", "a", "o", "u"):
            continue
        words += 1
        if word in NEUTRAL_TOKENS:
            continue
        is_en = word in ENGLISH_WORDS
        is_vi_common = word in VIETNAMESE_SYLLABLES
        is_vi_shape = bool(_VI_SYLLABLE.match(word))
        if is_en and is_vi_common:
            en += 0.3
            vi += 0.3
        elif is_en:
            en += 1.0
            known_en += 1
        elif is_vi_common:
            vi += 1.0
        elif not is_vi_shape:
            en += 0.5
            unknown += 1
        else:
            vi += 0.4
            unknown += 1
    return en, vi, words, unknown, known_en


def _latin_beside_hangul(text: str) -> Optional[str]:
    """English or Vietnamese when a message's Latin words are at least two and clearly one of them."""
    en, vi, words, unknown, _known_en = _latin_vote(text)
    if words < 2 or unknown * 2 > words:
        return None
    if vi - en >= 1.5:
        return "vi"
    if en - vi >= 1.5:
        return "en"
    return None


def _all_vietnamese_shaped(text: str) -> bool:
    """Every Latin word is a possible Vietnamese syllable (Vietnamese phonotactics)."""
    tokens = [fold(w) for w in _WORD.findall(text.lower()) if _script(w[0]) == "latin"]
    return len(tokens) >= 2 and all(_VI_SYLLABLE.match(t) or t in NEUTRAL_TOKENS for t in tokens)


def _langdetect(text: str) -> Optional[tuple[str, float]]:
    try:
        from langdetect import DetectorFactory, detect_langs
        from langdetect.lang_detect_exception import LangDetectException
    except ImportError:  # pragma: no cover - langdetect is a pinned dependency
        return None
    DetectorFactory.seed = 0
    try:
        best = detect_langs(text)[0]
    except LangDetectException:
        return None
    return best.lang, best.prob


_DISTRICT = re.compile(r"\b(nam|buk|dong|seo|gwangsan)[- ]?gu\b", re.IGNORECASE)


def detect(text: str) -> Detection:
    """Detect the language of one message."""
    # Gwangju's districts spelt in Latin letters ("nam-gu", "Buk-gu") belong to no language: "nam" is not
    # Vietnamese there.
    text = _DISTRICT.sub(" ", unicodedata.normalize("NFC", text))
    counts = {"hangul": 0, "cyrillic": 0, "latin": 0, "other": 0}
    vi_letters = 0
    non_ru = 0
    for ch in text:
        script = _script(ch)
        if script in counts:
            counts[script] += 1
        if script == "latin":
            if ch in _VI_LETTERS or (ord(ch) >= 0x1EA0 and ord(ch) <= 0x1EF9):
                vi_letters += 1
        if ch.lower() in _NON_RUSSIAN_CYRILLIC:
            non_ru += 1
    letters = sum(counts.values())
    if letters == 0:
        return Detection(None, False, "no-letters")

    if counts["other"] > max(counts["hangul"], counts["cyrillic"], counts["latin"]):
        return Detection(UNSUPPORTED, True, "script")
    # A resident who writes any Russian word is a Russian speaker, even when
    # the Korean administrative words outnumber it ("외국인등록증 потерял").
    if counts["cyrillic"] >= 2:
        if non_ru >= 2 or (non_ru and non_ru * 10 >= counts["cyrillic"]):
            return Detection(UNSUPPORTED, True, "script")
        return Detection("ru", True, "script")
    if vi_letters >= 1 and counts["latin"] >= 2:
        return Detection("vi", True, "vietnamese-letters")
    if counts["cyrillic"] == 1 and counts["hangul"]:
        # One Russian letter beside Korean words ("а 세계인의 날"): a Russian speaker's conjunction; only a
        # resident nobody knows yet is taken for Russian on it.
        return Detection("ru", False, "script")
    if counts["hangul"] and counts["hangul"] >= counts["latin"]:
        mixed = _latin_beside_hangul(text) if counts["latin"] * 2 >= counts["hangul"] else None
        if mixed:
            # Korean office names in a Latin-script sentence ("chua co 외국인등록증", "dia chi 가족센터 동구"):
            # the sentence's own words say the language, unless the resident is known to write another.
            return Detection(mixed, False, "words-beside-hangul")
        return Detection("ko", True, "script")

    en, vi, words, unknown, known_en = _latin_vote(text)
    hangul_words = counts["hangul"] > 0
    if unknown >= 2 and known_en == 0 and unknown * 2 > words and vi < 2 and not _all_vietnamese_shaped(text):
        # Words that are neither English nor Vietnamese: another language?
        guess = _langdetect(text)
        if guess and guess[0] in ("en", "vi") and guess[1] > 0.8:
            return Detection(guess[0], False, "langdetect")
        if guess and guess[1] > 0.5:
            return Detection(UNSUPPORTED, unknown >= 3, "langdetect")
    if en > vi:
        return Detection("en", en - vi >= 1.0 and not hangul_words, "words")
    if vi > en:
        return Detection("vi", vi - en >= 1.0 and not hangul_words, "words")
    if counts["hangul"]:
        return Detection("ko", False, "script")
    return Detection(None, False, "ambiguous")


def writes_in(text: str, lang: str) -> bool:
    """Whether a message has words in ``lang``'s own letters (Hangul, Cyrillic, Vietnamese marked letters, or
    two Latin words for English): a request written partly in the language it asks for
    ("…дочке покажу. 한국어로 해주세요")."""
    text = unicodedata.normalize("NFC", text)
    scripts = [_script(ch) for ch in text]
    if lang == "ko":
        return scripts.count("hangul") >= 2
    if lang == "ru":
        return scripts.count("cyrillic") >= 2
    if lang == "vi":
        return any(ch in _VI_LETTERS or 0x1EA0 <= ord(ch) <= 0x1EF9 for ch in text)
    latin_words = [w for w in _WORD.findall(text) if len(w) >= 2 and all(_script(ch) == "latin" for ch in w)]
    return lang == "en" and len(latin_words) >= 2


# --- Requests to change the language -----------------------------------------

_LANGUAGE_NAMES: dict[str, tuple[str, ...]] = {
    "en": ("english", "eng", "англ", "английский", "английском", "по-английски",
           "по английски", "영어", "영어로", "tieng anh", "anh"),
    "ru": ("russian", "rus", "русский", "русском", "по-русски", "по русски",
           "русски", "러시아어", "러시아어로", "러시아말", "tieng nga", "nga"),
    "vi": ("vietnamese", "viet", "вьетнамский", "вьетнамском", "по-вьетнамски",
           "베트남어", "베트남어로", "베트남말", "tieng viet", "viet nam", "vietnam"),
    "ko": ("korean", "корейский", "корейском", "по-корейски", "по корейски",
           "한국어", "한국어로", "한국말", "한국말로", "tieng han", "han"),
}
_FILLER = frozenset(
    """
please pls plz in speak talk write answer reply use switch change to language lang can you could i want
the let's lets ok okay only from now on
пожалуйста на говори говорите пиши пишите отвечай отвечайте ответь ответьте язык языке можно давай
хочу переключи переключить сменить смени перейди перейти
로 으로 해줘 해주세요 해 주세요 말해줘 말해주세요 부탁해요 부탁합니다 주세요 바꿔줘 바꿔주세요 언어 대답해줘 답해줘 해요
bang noi viet tra loi doi sang chuyen di nhe nha giup xin vui long ngon ngu dung ban toi muon
""".split()
)


def _normalise_request(text: str) -> str:
    lowered = fold(text.lower())
    lowered = re.sub(r"[!?.,:;\"'()«»]+", " ", lowered)
    return " ".join(lowered.split())


_NAME_LOOKUP = sorted(
    ((fold(name), lang) for lang, names in _LANGUAGE_NAMES.items() for name in names),
    key=lambda item: -len(item[0]),
)


def language_switch_request(text: str) -> Optional[str]:
    """The language a short message asks for ("English please", "по-русски").

    Returns ``None`` when the message asks something else, such as "where
    can I learn Korean".
    """
    norm = _normalise_request(text)
    if not norm or len(norm) > 60:
        return None
    found: Optional[str] = None
    rest = f" {norm} "
    for name, lang in _NAME_LOOKUP:
        if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", rest.strip()) or (
            not name.isascii() and name in rest
        ):
            if found not in (None, lang):
                return None
            found = lang
            rest = rest.replace(name, " ")
    if found is None:
        return None
    leftover = [w for w in rest.split() if w not in _FILLER]
    # Korean particles glue to the name ("한국어로"); handled by the names list.
    return found if not leftover else None


_NAMES = {
    "ko": ("корейск", "korean", "han", "한국어|한국말"),
    "ru": ("русск", "russian", "nga", "러시아어|러시아말"),
    "en": ("английск", "english", "anh", "영어"),
    "vi": ("вьетнамск", "vietnamese", "viet", "베트남어|베트남말"),
}


def _asked_pattern(ru: str, en: str, vi: str, ko: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?:пиши|пишите|писать|отвечай|отвечайте|ответьте|отвечать|говорите)\w*\s+(?:мне\s+|дальше\s+|"
        rf"пожалуйста\s+)*(?:по[- ]?{ru}и|на {ru}ом)|"
        # "напиши это по-корейски", "можешь по корейски это написать жене покажу"
        rf"(?:напиш|скаж|переведи|повтори)\w*\s+(?:\w+\s+){{0,2}}(?:по[- ]?{ru}и|на {ru}ий)|"
        rf"по[- ]?{ru}и\s+(?:\w+\s+){{0,2}}(?:напиш|написа|скаж|сказа|повтор|перевед|перевест)|"
        rf"(?:answer|reply|write|respond|talk to me|speak to me|text me)\s+(?:\w+\s+)?in\s+{en}|"
        # "can you write russian pls?", "say it in english", "translate to korean"
        rf"(?:write|say|tell|explain|translate)\s+(?:it\s+|that\s+|this\s+|me\s+)?(?:in|to|into)\s+{en}\b|"
        rf"(?:can you|could you|pls|please|plz)\s+(?:write|say|tell|explain|translate)\s+(?:it\s+|that\s+|this\s+)?"
        rf"{en}\b|"
        # "can you write that fridge part in korean?"
        rf"(?:can you|could you|pls|please|plz)\s+(?:write|translate|put)\s+(?:\w+\s+){{1,4}}"
        rf"in(?:to)?\s+{en}\b|"
        rf"(?:tra loi|nhan tin|viet lai|viet|noi lai|rep|dich)\s+(?:\w+\s+)?(?:bang|sang|ra)\s+tieng\s+{vi}\b|"
        rf"(?:tra loi|nhan tin|viet lai|noi lai|rep)\s+(?:\w+\s+)?tieng\s+{vi}\b|"
        # "noi tieng han giup e", "noi bang tieng han di de e dua ong chu xem": asked of the assistant (not "e ko
        # noi dc tieng han", "goi 119 noi tieng viet dc ko", "co nguoi noi tieng viet giup minh ko")
        rf"(?:^|[,.!?]\s*|\b(?:ad|ban|b|chi|c|anh|em|e|oi|vui long|lam on)\s+)(?:noi|viet|dich)\s+(?:bang\s+|sang\s+)?"
        rf"tieng\s+{vi}\s+"
        rf"(?:giup|gium|dum|di(?:\s*$|\s*[,.!?]|\s+de\b|\s+ma\b)|nhe\b|nha\b)|"
        rf"(?:{ko})로\s*(?:다시|해|말|답|대답|답변|써|얘기|부탁|알려|설명|보내|요\b|요[.!?]|바꿔)")


_ASKED_LANGUAGE = {lang: _asked_pattern(*names) for lang, names in _NAMES.items()}


def explicit_switch_request(text: str) -> Optional[str]:
    """The language a longer message explicitly asks to be answered in.

    "можете дальше писать по корейски?", "please answer in English", "tra loi
    bang tieng Han", "한국어로 다시요": a request to switch, not a question about
    Korean classes ("한국어 수업 어디서 해요") nor a remark ("e ko noi dc tieng han").
    """
    folded = fold(unicodedata.normalize("NFC", text).casefold())
    asked = [lang for lang, pattern in _ASKED_LANGUAGE.items() if pattern.search(folded)]
    return asked[0] if len(asked) == 1 else None


def without_switch_request(text: str) -> str:
    """What a message asks besides its request to switch ("хочет 문화누리카드. напишите по-корейски для
    него" -> "хочет 문화누리카드."): its sentences without the one that asks for a language."""
    sentences = re.findall(r"[^.!?\n]+[.!?]*", text)
    kept = [part for part in sentences
            if not any(pattern.search(fold(unicodedata.normalize("NFC", part).casefold()))
                       for pattern in _ASKED_LANGUAGE.values())]
    return " ".join(part.strip() for part in kept if part.strip())


def choose_language(
    detection: Detection, remembered: Optional[str], source: Optional[str], default: str
) -> str:
    """The language to answer in, given this message and the resident's memory.

    A language the resident chose explicitly sticks; a detected one follows
    confident detections of new messages.
    """
    if remembered in SUPPORTED_LANGUAGES and source == "chosen":
        return remembered
    if detection.language in SUPPORTED_LANGUAGES and (detection.confident or remembered is None):
        return detection.language
    if remembered in SUPPORTED_LANGUAGES:
        return remembered
    return default
