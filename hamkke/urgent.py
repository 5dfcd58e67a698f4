"""Urgent situations, recognised before anything else and whatever the classifier thinks.

A medical emergency, a fire, violence happening now, domestic violence, thoughts
of suicide or an expired visa: the first line of the answer says exactly what to
do now (call 119, 112, 1577-1366, 1393, 1345), in the resident's language, and a
person is offered. This is a safety net of word patterns in ko, en, ru and vi,
typed carelessly (no diacritics, no spaces in Korean, Korean words inside other
languages), that does not depend on the intent classifier's confidence: a
missed emergency costs far more than a needless "call 119 if it is an
emergency", so the patterns lean towards catching.

Vietnamese is matched twice: with its diacritics where a word without them is
ambiguous ("tự tử" suicide / "từ từ" slowly, "cháy" fire / "chạy" run), and
folded where it is not. Korean is matched with the spaces removed.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from typing import Optional

from hamkke.folding import fold


class Urgency(str, enum.Enum):
    """What kind of urgent situation; the catalog key of its first line is ``urgent_<value>``."""

    MEDICAL = "medical"
    FIRE = "fire"
    VIOLENCE = "violence"
    DOMESTIC_VIOLENCE = "domestic_violence"
    SUICIDE = "suicide"
    OVERSTAY = "overstay"


def _any(*patterns: str) -> re.Pattern[str]:
    return re.compile("|".join(f"(?:{p})" for p in patterns))


# Matched on lower-cased, folded text (Vietnamese without diacritics, ё as е).
_LATIN_CYRILLIC: dict[Urgency, re.Pattern[str]] = {
    Urgency.SUICIDE: _any(
        r"\bkill (my ?self|me)\b", r"\bsuicid", r"\bwant(ed)? to die\b", r"\bend (my|it) (life|all)\b",
        r"\bdon'?t want to (live|be alive)\b", r"\bno reason to live\b", r"\bself[- ]?harm", r"\bhurt(ing)? myself\b",
        r"покончить с собой", r"суицид", r"самоубийств", r"не хочу (больше )?жить", r"хочу умереть",
        r"свести сч[её]ты с жизнью", r"убить себя", r"жить не хочется", r"повеситься", r"нет смысла жить",
        r"\bmuon chet\b", r"\bkhong muon song\b", r"\btu sat\b", r"\bket lieu\b",
    ),
    Urgency.DOMESTIC_VIOLENCE: _any(
        r"\bdomestic violence\b", r"\b(husband|wife|partner|spouse|boyfriend|mother[- ]in[- ]law)\b.{0,40}"
        r"\b(hit|hits|hitting|beat|beats|beating|kick|kicks|hurt|hurts|choke|chokes|threaten|threatens|abus)",
        r"\b(hit|beat|beaten|kicked|abused|hurt) by my (husband|wife|partner|spouse|boyfriend)\b",
        r"домашн\w* насили", r"(муж|жена|супруг|сожител|свекров)\w*.{0,40}(бь[её]т|бил|избива|изби|ударил|душил|"
        r"угрожа|изнасил|выгнал)", r"(бь[её]т|избивает|ударил) (меня )?(муж|жена)",
        r"\bbao luc gia dinh\b", r"\bchong\b.{0,30}\b(danh|dap|bop co|de doa|duoi)\b",
        r"\b(bi|bj) chong (danh|dap)\b",
    ),
    Urgency.VIOLENCE: _any(
        r"\b(hitting|beating|attacking|stabbing|chasing|following|threatening) (me|us|my|him|her)\b",
        r"\bbeing (attacked|beaten|hit|followed|robbed)\b", r"\b(has|with|holding|got) (a )?(knife|gun|weapon)\b",
        r"\bfight(ing)? (outside|now|here|in front)\b",
        r"\bbreak(ing)? in(to)?\b", r"\bsomeone is (in|at) my (house|door|room)\b", r"\brob(bed|bing|bery)\b",
        r"\bkidnap", r"\bhelp me,? (now|please now)\b", r"\bin danger\b", r"\bcall (the )?police\b",
        r"\bbeat me\b", r"\battacked me\b",
        r"бь[её]т (меня|жену|мужа|ребенка|ребёнка|его|её|ее|детей)",
        r"избива", r"напал[аи]?\b", r"нападени", r"угрожа\w* (ножом|убить|мне)", r"\bнож(ом)?\b",
        r"пистолет", r"ломит(ся|ся в дверь)", r"грабят|ограбил", r"спасите", r"помогите,? срочно", r"в опасности",
        r"вызовите полицию", r"преследует",
        r"\bdanh (toi|em|minh|tui)\b", r"\b(bi|bj) danh\b", r"\bcam dao\b", r"\bco dao\b", r"\bdam (toi|em|nguoi)\b",
        r"\bde doa (giet|toi|em)\b", r"\bcuop\b", r"\bcuu (toi|em|voi)\b", r"\bnguy hiem\b", r"\bgoi canh sat\b",
        r"\bbat coc\b",
    ),
    Urgency.FIRE: _any(
        r"\b(there'?s|there is|a|house|room|building|kitchen|apartment) (is )?(on )?fire\b", r"\bon fire\b",
        r"\bfire in\b", r"\bsmoke (everywhere|in|coming)\b", r"\bburning\b", r"\bgas (leak|smell)\b",
        r"пожар", r"\bгорит\b", r"\bгорим\b", r"загорел", r"дым (в|из|идет|идёт)", r"запах газа", r"утечка газа",
        r"\bhoa hoan\b", r"\bdam chay\b", r"\bchay (phong|nha|xuong|can ho)\b",
        r"\bkhoi (nhieu|day|bay|den)\b", r"\bro ri (khi )?gas\b", r"\bmui gas\b",
    ),
    Urgency.MEDICAL: _any(
        r"\bchest pain\b", r"\bpain in (my|his|her|the) chest\b", r"\bheart attack\b", r"\bnot breathing\b",
        r"\bcan'?t breathe\b", r"\bcannot breathe\b", r"\bstopped breathing\b", r"\bunconscious\b",
        r"\bpassed out\b", r"\bfainted\b", r"\bnot waking\b", r"\bwon'?t wake\b", r"\bseizure", r"\bconvuls",
        r"\bstroke\b", r"\bbleeding (a lot|heavily|badly|won'?t stop)\b", r"\blots? of blood\b", r"\boverdose\b",
        r"\bchoking\b", r"\bcollapsed\b", r"\b(call|need|send) (an |the )?ambulance\b", r"\bhigh fever\b",
        r"\bfever (of )?(39|40|41)",
        r"\b(39|40|41)(\.\d)? ?(degrees|°c?)\b", r"\bpoison(ed|ing)\b", r"\bnot responding\b",
        r"\bswallowed (\w+ )?(pills|medicine|tablets|battery|bleach|poison)\b", r"\bnot moving\b",
        r"бол\w* в груди", r"болит (в )?груд", r"груд\w*( \w+)? болит", r"сердечн\w* приступ", r"инфаркт", r"не дыш",
        r"задыха", r"без сознани", r"потерял\w* сознани", r"(упал|упала)\w* в обморок", r"обморок",
        r"не приходит в себя", r"не просыпа", r"судорог", r"инсульт", r"кровотечени", r"много крови",
        r"кровь не останавлива", r"высок\w* температур", r"температур\w* (под )?(39|40|41)",
        r"(вызвать|вызовите|вызови|нужна) скор",
        r"отравил", r"проглотил", r"не двига", r"не реагиру", r"упал\w* и не (вста|двига|отвеча)",
        r"\bdau nguc\b", r"\btuc nguc\b", r"\bdau tim\b", r"\bnhoi mau\b", r"\bkho tho\b", r"\bkhong tho( duoc)?\b",
        r"\bngung tho\b", r"\bbat tinh\b", r"\bngat xiu\b", r"\b(bi|bj) ngat\b", r"\bco giat\b",
        r"\bdot quy\b", r"\bnuot (phai )?(thuoc|pin)\b", r"\bchay mau (nhieu|khong cam|qua nhieu)\b", r"\bsot cao\b",
        r"\bsot (39|40|41)\b",
        r"\b(goi|can|di) cap cuu\b", r"\bxe cuu thuong\b", r"\bngo doc\b",
    ),
    Urgency.OVERSTAY: _any(
        r"\bvisa (has |is |already )?(expired|over|ran out|ended|finished)\b", r"\bexpired visa\b",
        r"\boverstay", r"\billegal(ly)? (stay|staying|here)\b", r"\bundocumented\b", r"\bno visa anymore\b",
        r"виз\w* (уже )?(истекла|закончилась|кончилась|просрочена|просрочилась)", r"просрочил\w* виз",
        r"просроченн\w* виз", r"нелегал", r"без визы", r"незаконно (нахожусь|живу|остал)",
        r"(?<!sap )\bhet han (visa|vi sa|thi thuc)\b", r"\b(visa|vi sa|thi thuc) (da |bi )?het han\b(?! vao)",
        r"\b(visa|vi sa|thi thuc)\b.{0,16}\bhet han( roi| lau| tu| duoc| \d|$)", r"\bqua han (visa|cu tru)\b",
        r"\b(visa|vi sa) qua han\b", r"\bbat hop phap\b", r"\bo chui\b",
        r"\bkhong (co )?giay to\b",
    ),
}

# Vietnamese words that need their diacritics to be told apart.
_VIETNAMESE_MARKED: dict[Urgency, re.Pattern[str]] = {
    Urgency.SUICIDE: _any(r"tự tử", r"tự sát", r"muốn chết"),
    Urgency.FIRE: _any(r"cháy nhà", r"bị cháy", r"đang cháy", r"cháy rồi", r"có cháy", r"khói"),
    Urgency.DOMESTIC_VIOLENCE: _any(r"chồng (tôi |em |mình )?(đánh|đập|bóp cổ|đe dọa|đuổi)"),
}

# Matched on Korean with the spaces removed.
_KOREAN: dict[Urgency, re.Pattern[str]] = {
    Urgency.SUICIDE: _any(r"죽고싶", r"자살", r"살기싫", r"살고싶지않", r"목숨을끊", r"죽어버리", r"극단적선택",
                          r"스스로목숨"),
    Urgency.DOMESTIC_VIOLENCE: _any(r"가정폭력", r"(남편|아내|와이프|시어머니|시아버지|시댁|배우자)\w{0,8}"
                                    r"(때려|때리|때렸|폭행|맞았|맞아|협박|목을조|쫓아냈|위협)"),
    Urgency.VIOLENCE: _any(r"때려요", r"때리고있", r"폭행당", r"맞고있", r"칼을", r"칼로", r"흉기", r"위협하",
                           r"협박하", r"살려주", r"강도", r"납치", r"경찰불러", r"쫓아오", r"누가들어"),
    Urgency.FIRE: _any(r"불이났", r"불났", r"불이야", r"불이붙", r"화재", r"연기가", r"타고있어", r"가스냄새",
                       r"가스가새"),
    Urgency.MEDICAL: _any(r"가슴(이|에|가)?\w{0,4}아(파|프)", r"가슴통증", r"가슴이답답", r"숨\w{0,3}(안|못)쉬",
                          r"숨쉬기힘", r"숨이차", r"삼켰",
                          r"호흡곤란", r"의식이없", r"의식을잃", r"쓰러졌", r"쓰러져", r"기절", r"경련", r"발작",
                          r"뇌졸중", r"심장마비", r"피가많이", r"피가안멈", r"출혈", r"고열", r"열이(39|40|41)",
                          r"구급차", r"응급상황", r"중독됐", r"안깨어나", r"깨어나지않"),
    Urgency.OVERSTAY: _any(r"비자(가)?만료(됐|되었|돼서)", r"비자(가)?끝났", r"체류기간(이)?(지났|끝났|만료)",
                           r"불법체류", r"미등록체류", r"오버스테이"),
}

# When several kinds match, the most urgent first line wins.
_ORDER = (Urgency.SUICIDE, Urgency.DOMESTIC_VIOLENCE, Urgency.VIOLENCE, Urgency.FIRE, Urgency.MEDICAL,
          Urgency.OVERSTAY)

# What a question about a service looks like: these ask where or how, they describe no
# emergency under way ("which hospital has an emergency room at night?").
_QUESTION_ONLY = re.compile(r"^(where|which|what|how much|when)\b|^(где|какой|какая|сколько стоит)\b|"
                            r"^(o dau|cho nao|benh vien nao)\b")


def detect_urgent(text: str) -> Optional[Urgency]:
    """The urgent situation ``text`` describes, if any."""
    lowered = unicodedata.normalize("NFC", text).casefold()
    folded = " ".join(fold(lowered).split())
    korean = re.sub(r"\s+", "", lowered)
    found: set[Urgency] = set()
    for kind, pattern in _LATIN_CYRILLIC.items():
        if pattern.search(folded):
            found.add(kind)
    for kind, pattern in _VIETNAMESE_MARKED.items():
        if pattern.search(lowered):
            found.add(kind)
    for kind, pattern in _KOREAN.items():
        if pattern.search(korean):
            found.add(kind)
    if Urgency.OVERSTAY in found and re.search(r"\bsap het han\b|\bwill expire\b|\bexpires (next|in|on)\b|"
                                                r"истека(ет|ют)|закончится|заканчивается", folded):
        found.discard(Urgency.OVERSTAY)  # about to expire: an extension question, not an overstay
    if found == {Urgency.MEDICAL} and _QUESTION_ONLY.search(folded) and not re.search(
            r"\b(now|right now|сейчас|bay gio|ngay)\b|지금", folded + " " + korean):
        # "where is an emergency room?": the finder answers; no emergency under way is described.
        return None
    return next((kind for kind in _ORDER if kind in found), None)


def first_line_key(kind: Urgency) -> str:
    """The catalog key of the first line for ``kind``."""
    return f"urgent_{kind.value}"


# Answers (catalog keys, by prefix) that belong with each kind: kept after the urgent line.
RELATED_KEYS: dict[Urgency, tuple[str, ...]] = {
    Urgency.MEDICAL: ("faq_emergency_numbers", "faq_hospital_interpreter", "faq_free_clinic",
                      "faq_medical_cost_support", "faq_pregnancy_childbirth", "service_", "finder_"),
    Urgency.FIRE: ("faq_emergency_numbers",),
    Urgency.VIOLENCE: ("faq_emergency_numbers", "faq_domestic_violence", "ask_danuri", "faq_workplace_abuse"),
    Urgency.DOMESTIC_VIOLENCE: ("faq_domestic_violence", "ask_danuri", "faq_divorce_custody", "faq_legal_aid"),
    Urgency.SUICIDE: (),
    Urgency.OVERSTAY: ("faq_visa_extension", "faq_visa_change", "ask_immigration_contact", "faq_reentry"),
}
