"""Russian typed in Latin letters ("pomogite", "skolko stoit", "vizu prosrochil").

Goryeoin residents write Russian on phones without a Cyrillic keyboard. Such a
message is neither English nor Vietnamese; language identification alone
calls it unsupported. :func:`is_translit_russian` recognises it by the
words Russian is made of (common short words and endings, the letter pairs
"zh", "sh", "ch", "kh", "ya", "yu"), and :func:`to_cyrillic` writes it in
Cyrillic, so that it is detected as Russian and the classifier, trained on
Cyrillic, reads it. Korean words and numbers inside are kept as they are.
Standard library only.
"""

from __future__ import annotations

import re

# Common Russian words as they are typed in Latin letters (several spellings each).
_WORDS = frozenset("""
kak chto chto-to gde kuda kogda skolko pochemu zachem mne menya mnoi moy moya
moyu ego eyo ikh ona oni eto eta etot tut est byl byla bylo budet mozhno nado nuzhno
pomogite pomoch pomogi spasite spasibo zdravstvuite zdravstvuyte privet pozhaluista pozhalujsta podskazhite
skazhite rabota rabotu rabote rabotayu rabotaet dengi deneg zarplata zarplatu vizu viza vizy prosrochil
prosrochila prosrochena prodlit prodlenie kartu karta karty bolnica bolnitsa vrach vracha doktor skoraya
muzh muzha zhena syn doch mama mame papa rebenok rebenka deti detey sestra brat babushka dedushka seichas
sejchas segodnya zavtra vchera utrom vecherom nochyu subbotu voskresenye ponedelnik poteryal poteryala
ukrali bjut bet ubet ubyu pozhar gorit dym ne-dyshit dyshit bolit bolno plokho khorosho horosho ladno
stoit stoimost platit platno besplatno adres telefon nomer zapis zapisatsya dokumenty pasport prinesti
vzyat sdelat poluchit oformit kuda-to ili ili-net eshe eshche uzhe tolko ochen mnogo malo pravda
russki russkiy russkom tam govoryat govorit govoryu ponimaet ponimayu ponimayut uchitsya uchit yazyk
mesyac mesyaca mesyatsa nedelyu rabotodatel hozyain upal upala spina
bolnice bolnitse bolnicu bolnitsu ploho perevodchik perevodchika perevodchiki koreiski koreyski korejski
po-koreiski po-russki kakoi kakoy kakaya kakie hochu khochu mogu nuzhen dlya tozhe vsyo mozhet kto
""".split())
# Letter pairs and endings that English and Vietnamese rarely have.
_MARKS = re.compile(r"(zh|kh|shch|sch|ya|yu|yo|[^aeiou ]y[aeiouy]|ogo\b|ovat|ivat|aet\b|ayu\b|iya\b|yy\b|iy\b|"
                    r"ost\b|nyi\b|nyy\b|skoe\b|tsya\b|tsa\b|chto|sh[aeiou])")
_NOT_MARKS = frozenset({"bye", "byebye", "yes", "you", "your", "yo", "toyota", "kyoto", "tokyo"})
_ENGLISH = frozenset("the is are what how where when can i you my me to of and for with not this that have need "
                     "please want do does it in on at".split())
_LATIN_WORD = re.compile(r"[a-z']+")

# Longest first: "shch" before "sh" and "ch".
_TO_CYRILLIC = [
    ("shch", "щ"), ("sch", "щ"), ("yo", "ё"), ("zh", "ж"), ("kh", "х"), ("ts", "ц"), ("ch", "ч"), ("sh", "ш"),
    ("'yu", "ью"), ("'u", "ью"), ("'a", "ья"), ("'e", "ье"), ("'o", "ьё"),
    ("yu", "ю"), ("ya", "я"), ("ye", "е"), ("iy", "ий"), ("yy", "ый"), ("y", "ы"), ("j", "й"), ("'", "ь"),
    ("a", "а"), ("b", "б"), ("v", "в"), ("g", "г"), ("d", "д"), ("e", "е"), ("z", "з"), ("i", "и"), ("k", "к"),
    ("l", "л"), ("m", "м"), ("n", "н"), ("o", "о"), ("p", "п"), ("r", "р"), ("s", "с"), ("t", "т"), ("u", "у"),
    ("f", "ф"), ("h", "х"), ("c", "ц"), ("w", "в"), ("x", "кс"), ("q", "к"),
]
_PAIRS = re.compile("|".join(re.escape(latin) for latin, _ in _TO_CYRILLIC))
_MAP = dict(_TO_CYRILLIC)


def is_translit_russian(text: str) -> bool:
    """Whether a message is Russian written in Latin letters (not English, not Vietnamese)."""
    if re.search(r"[\u0400-\u04ff]", text) or re.search(r"[\u00c0-\u024f\u1e00-\u1eff]", text):
        return False  # Cyrillic already, or Vietnamese diacritics
    words = _LATIN_WORD.findall(text.casefold())
    if not words:
        return False
    russian = sum(w in _WORDS for w in words)
    english = sum(w in _ENGLISH for w in words)
    marked = sum(bool(_MARKS.search(w)) for w in words if w not in _WORDS and w not in _NOT_MARKS)
    if english > russian:
        return False
    return russian >= 2 or (russian >= 1 and (marked >= 1 or len(words) <= 2)) or (marked >= 2 and len(words) <= 4)


def to_cyrillic(text: str) -> str:
    """``text`` with its Latin letters written in Cyrillic (Korean, digits and punctuation kept)."""
    def word(match: re.Match[str]) -> str:
        latin = re.sub(r"(?<=[bcdfghklmnprstvz])j(?=[aeiouy])", "'", match.group(0).casefold())  # "bjut": бьют
        return _PAIRS.sub(lambda m: _MAP[m.group(0)], latin)

    return re.sub(r"[A-Za-z']+", word, text)
