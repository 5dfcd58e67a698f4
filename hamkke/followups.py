"""Follow-up questions that refer to the last answer: "where is it?", "phone?", "open on Saturday?".

After an answer about a topic or a place, residents ask short questions that
only make sense with it ("а где это?", "so dien thoai?", "토요일에도 해요?").
The intent classifier sees no topic in them and guesses one; the gateway
instead answers them from the last topic's place (``data/topic_places.yml``,
the service's record). :func:`detect_followup` says which fact a message asks
for, only for short messages that name no topic of their own.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Optional

import yaml

from hamkke.config import PROJECT_ROOT
from hamkke.folding import fold

TOPIC_PLACES_PATH = PROJECT_ROOT / "data" / "topic_places.yml"
MAX_WORDS = 7
FRESH_MINUTES = 10

# fact -> patterns on folded, lower-cased text (Vietnamese without diacritics);
# Korean patterns on the text with its spaces removed.
_FACTS: dict[str, tuple[str, str]] = {
    "address": (
        r"\bwhere\b|\baddress\b|\blocation\b|\bhow (do i|to) get there\b|\bwhich building\b|"
        r"\bгде\b|\bадрес|\bкак (туда )?(добраться|доехать|пройти)\b|\bкуда (идти|ехать)\b|"
        r"\bo dau\b|\bdia chi\b|\bcho nao\b|\bo cho nao\b|\bduong nao\b|\bodau\b|\bo đau\b",
        r"어디|주소|위치|어떻게가|찾아가",
    ),
    "phone": (
        r"\bphone\b|\bnumber\b|\bcall them\b|\btel\b|\bcontact\b|"
        r"\bтелефон|\bномер\b|\bпозвонить\b|\bконтакт|"
        r"\bso dien thoai\b|\bsdt\b|\bso dt\b|\bdien thoai\b|\bso lien lac\b|\bgoi so\b",
        r"전화|번호|연락처",
    ),
    "hours": (
        r"\bopen\b|\bhours\b|\bwhat time\b|\bsaturday\b|\bsunday\b|\bweekend\b|\bclosed?\b|\bwhen\b|"
        r"\bработа(ет|ют)\b|\bчасы\b|\bво сколько\b|\bсуббот|\bвоскресен|\bвыходн|\bкогда\b|\bоткрыт|"
        r"\bmay gio\b|\bgio mo\b|\bgio lam\b|\bthu bay\b|\bchu nhat\b|\bcuoi tuan\b|\blam viec\b|"
        r"\bmo cua\b|\bkhi nao\b",
        r"몇시|영업|운영시간|토요일|일요일|주말|문열|언제|근무시간|여는",
    ),
    "fee": (
        r"\bhow much\b|\bcost\b|\bfee\b|\bprice\b|\bfree\b|"
        r"\bсколько (стоит|платить|денег)\b|\bплатн|\bбесплатн|\bцена\b|\bстоимост|"
        r"\bbao nhieu tien\b|\bmat phi\b|\bmien phi\b|\bchi phi\b|\ble phi\b",
        r"얼마|비용|수수료|무료|유료|돈(을|이)?내",
    ),
    "documents": (
        r"\bwhat (should|do) i (bring|need)\b|\bdocuments?\b|\bpapers?\b|\bbring\b|"
        r"\bчто (с собой )?(брать|взять|нужно принести)\b|\bдокумент|\bбумаг|"
        r"\bgiay to\b|\bmang (theo )?gi\b|\bcan (mang|chuan bi) gi\b|\bho so\b",
        r"서류|뭐가져|뭘가져|준비물|챙겨",
    ),
    "check": (
        r"^check\b|\bcan i get it\b|\bam i eligible\b|\bcan i (get|apply)\b|\bdo i qualify\b|\bcheck (for )?me\b|"
        r"\bпровер|\bмне (можно|положен|дадут)|\bя могу получить\b|\bа мне\b|"
        r"\b(em|toi|minh) (co )?(duoc|dc) (khong|ko|k)\b|\bkiem tra\b|\bco duoc nhan\b",
        r"받을수있|받을수있어|저도돼|저도되|저도받|확인해|해당돼|해당되|대상이에|대상인가",
    ),
    "next_year": (
        r"\bnext year\b|\bnext one\b|\bnext round\b|\bв следующем году\b|\bна следующий год\b|"
        r"\bследующ\w* раз\b|\bnam sau\b|\bnam toi\b|\bdot sau\b",
        r"내년|다음해|다음번|다음차례",
    ),
    "website": (
        r"\bwebsite\b|\bsite\b|\bonline\b|\blink\b|\bсайт\b|\bссылк|\bonline\b|\btrang web\b|\bweb\b|\blink\b",
        r"홈페이지|사이트|링크|누리집",
    ),
}
# Words that make a message a question of its own, not a follow-up.
_OWN_TOPIC = re.compile(
    r"visa|виз|вiз|bi sa|gia han|продл|extend|renew|\bluong\b|зарплат|salary|wage|insurance|страхов|bao hiem|"
    r"school|школ|truong|"
    r"culture|культур|van hoa|rubbish|garbage|мусор|rac|event|мероприят|su kien|hospital|больниц|benh vien|"
    r"event|festival|праздник|le hoi|korean class|корейск|tieng han|"
    r"비자|연장|월급|임금|보험|학교|쓰레기|행사|축제|병원|문화누리|한국어", re.IGNORECASE)


def detect_followup(text: str) -> Optional[str]:
    """Which fact a short follow-up asks for.

    One of ``address``, ``phone``, ``hours``, ``fee``, ``documents``, ``check`` (can I get it?),
    ``next_year``, ``website``.
    """
    lowered = unicodedata.normalize("NFC", text).casefold().strip()
    if not lowered or len(lowered.split()) > MAX_WORDS or len(lowered) > 60:
        return None
    folded = " ".join(fold(lowered).split())
    if _OWN_TOPIC.search(folded):
        return None
    korean = re.sub(r"\s+", "", lowered)
    for fact, (latin, hangul) in sorted(_FACTS.items(), key=lambda item: item[0] not in ("next_year", "check")):
        if re.search(latin, folded) or re.search(hangul, korean):
            return fact
    return None


def topic_places(path: Path = TOPIC_PLACES_PATH) -> dict[str, str]:
    """Topic (catalog key) -> the slug of its place."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    return {str(k): str(v) for k, v in data.items()}
