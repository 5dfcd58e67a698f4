"""The dialogue core: one resident message in, one stored answer out.

Order of work for every message, whatever the channel:

1. find or create the resident; drop a repeated platform message id;
2. store the message, masked, with status ``received`` (committed before
   anything else happens, so nothing a resident sends is lost);
3. answer what the gateway answers itself: empty or too long messages,
   stickers and photos, buttons, requests to change the language, languages
   the assistant does not speak;
4. otherwise settle the language, ask Rasa and render its answer from the
   catalogs;
5. store the answer and mark the message ``answered``, ``handed_off`` or
   ``failed`` (a failure is visible to staff and the resident is told).
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import logging
import re
import time
from dataclasses import dataclass
from typing import Any, Optional, Union

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import aliased

from bot.rasa_client import RasaClient, RasaUnavailable
from bot.replies import (
    Button,
    Card,
    Reply,
    human_button,
    language_buttons,
    language_names,
    message_cards,
    pick,
    render_event,
    render_message,
    simple,
)
from hamkke import SUPPORTED_LANGUAGES, clock, inbox
from hamkke import conversations as convs
from hamkke.answers import LiveContent
from hamkke.config import Settings
from hamkke.conversations import HandoffSignal
from hamkke.coordination import Coordinator
from hamkke.db.models import Conversation, Event, Message, MessageStatus, Resident, Service, as_utc, utcnow
from hamkke.db.session import DATABASE_AWAY, Database
from hamkke.directory import (
    ServiceQuery,
    eligibility_records,
    event_payload,
    find_services,
    next_occurrence,
    service_payload,
)
from hamkke.eligibility import RulesError, applications, card_amount, rules_for
from hamkke.folding import fold
from hamkke.followups import (
    FACT_FALLBACK,
    FRESH_MINUTES,
    asks_about_balance,
    asks_for_more,
    asks_to_apply_now,
    asks_to_check,
    days_named,
    detect_followup,
    fold_words,
    listed_place_named,
    match_names,
    match_place,
    mentioned_place_named,
    names_a_topic,
    places_named,
    topic_facts,
    topic_places,
    without_names,
)
from hamkke.handoff_words import asks_for_person, is_cancel, is_explicit_cancel, is_wait_question
from hamkke.i18n import MissingMessage, has, long_date, t
from hamkke.langid import (
    UNSUPPORTED,
    choose_language,
    detect,
    explicit_switch_request,
    language_switch_request,
    without_switch_request,
    writes_in,
)
from hamkke.live import LiveBus
from hamkke.logs import text_for_log
from hamkke.office_hours import default_centre, handoff_notice, queue_status
from hamkke.phrases import (
    asks_how_to_get_status,
    asks_what_status_is,
    bare_visa,
    day_of_month,
    is_unknown,
    named_program,
    others_ages,
    parse_yes_no,
    service_filters,
    stated_facts,
    time_frame,
    without_greeting,
)
from hamkke.privacy import mask, normalise
from hamkke.translit import is_translit_russian, to_cyrillic
from hamkke.urgent import RELATED_KEYS, Urgency, detect_urgent, first_line_key
from hamkke.wages import compare, stated_pay

log = logging.getLogger(__name__)

MAX_BUTTONS = 10
# How long a channel waits for the database to store a message (PostgreSQL restarting) before
# it says so: Kakao's 5 seconds bound it; Telegram's polling can wait longer.
STORE_PATIENCE_S = 2.5
# How long a message waits for an older one of the same resident that is still being answered (a
# message a dead replica held is released within seconds with Redis, by the stale sweep without).
IN_TURN_WAIT_S = 30.0
# Answers that end in a question, and what the question is (a bare "yes"/"no" answers it).
QUESTIONS = {"thank": "anything_else", "fallback_suggest": "suggest", "feedback_thanks": "person",
             "forget_ask": "forget",
             # "if you work full time, that is below the minimum wage": whether they do
             "wage_below_month": "full_time"}
# "да полный день, 5 дней", "yes full time", "dung roi lam full", "네 풀타임이에요": they work full time.
_FULL_TIME = re.compile(r"\bfull[- ]?time\b|\bfull day\b|\b(5|five) days\b|\b40 ?(hours|h)\b|\bevery day\b|"
                        r"\bполн\w* (день|ставк|рабоч)|\bфулл|\b5 дней\b|\bпять дней\b|\b40 час|\bкаждый день\b|"
                        r"\btoan thoi gian\b|\blam full\b|\bca ngay\b|\b5 ngay\b|\b8 (tieng|gio)\b|"
                        r"풀타임|전일제|정규직|주 ?5일|하루 ?8시간|매일", re.IGNORECASE)
# The payloads of the "delete my data" steps.
FORGET, FORGET_CONFIRM, FORGET_CANCEL = "forget", "/forget_confirm", "/forget_cancel"
# The eligibility form's questions: a question asked in between is answered, then this one is asked again.
FORM_QUESTIONS = frozenset({"ask_program", "ask_birth_year", "ask_nationality", "ask_benefit_status",
                            "ask_used_last_year", "ask_household_size", "ask_monthly_income_krw"})
_NOTHING = re.compile(r"^(nothing|that'?s all|all good|ничего|вс[её]|больше ничего|het roi|hết rồi|khong can|"
                      r"không cần|없어요|없습니다|괜찮아요|됐어요)\b")
# FAQ answers about a benefit programme (whose application period moves with the calendar).
PROGRAM_TOPICS = {"faq_culture_nuri": "culture-nuri", "faq_youth_culture_pass": "youth-culture-pass"}
# Answers that say the message was not understood: after a topic, a short message stays on it.
NOT_UNDERSTOOD = frozenset({"fallback_suggest", "fallback_again", "fallback", "out_of_scope"})
FOLLOWUP_WORDS = 6
# A place named in passing in one of the last answers, asked about by a word of its name ("조선대 где?").
MENTIONED_WORDS = 5
MENTIONED_ANSWERS = 3
MAX_LISTED_EVENTS = 6  # the events of a list kept for follow-ups that name one of them
# "And what about …?": the last topic, for another case.
_WHAT_ABOUT = re.compile(r"^(and |but )?(what|how) about\b|^and (in|on|at|for|during|if)\b|"
                         r"^а (на|в|во|если|для|по|с)\b|^(con|the con|vay con)\b.*\b(thi sao|the nao|sao)\b|"
                         r"\b(thi sao|thi the nao)( a| ad)?\s*\??$|"
                         r"[가-힣](는|은|이|에는|때는|엔)요\s*\??$")
# "What should I do?" alone, right after an answer: what to do about that topic, not what the assistant can do.
_WHAT_TO_DO = re.compile(r"^(so |then |ok )?what (should|do|can|must) (i|we) do( now| then)?$|"
                         r"^(и |а |так )?что (мне |нам )?(теперь |же )?делать( теперь| мне)?$|"
                         r"^(vay |the |gio )?(phai )?lam (sao|gi|the nao)( bay gio| gio)?( a| ad| vay)?$|"
                         r"^(그럼 |그러면 )?(어떡해|어떻게 해|어떻게 하|어떡하)\S*$")
# What the classifier answers to small talk; a question it took for one is not small talk.
SMALL_TALK = frozenset({"goodbye", "greet"})
# The danger described a few minutes ago is over ("we r outside now everybody ok", "e an toan r").
_SAFE_NOW = re.compile(r"\b(i'?m|i am|we'?re|we are|we r|im)( all| now)? (safe|ok|okay|fine)( now)?\b|\bsafe now\b|"
                       r"\beverybody (is )?ok\b|\beveryone (is )?(ok|safe)\b|"
                       r"(я|мы) (уже |сейчас )?в безопасности|все живы|\b(da |dang )?an toan (r|roi)\b|\bda an toan\b|"
                       r"이제 ?안전|안전해요|무사해요|다 ?괜찮아요|"
                       # "fire is out now", "ambulance came": help has come, the next question is another one
                       r"\bfire (is )?(out|gone|put out)\b|\b(ambulance|police|firefighters?) (came|arrived|is here|"
                       r"are here|here now|took (him|her|them))\b|(огонь|пожар) (уже )?потушил|\bпотушили\b|"
                       r"(скорая|полиция|пожарные) (уже )?(приехал|забрал)|"
                       r"\b(xe cap cuu|cong an|cuu hoa) (da )?(den|toi)( noi)? (r|roi)\b|"
                       r"\b(lua|chay) (da )?(tat|dap tat)( duoc)? (r|roi)\b|"
                       r"불(은|이)? ?(다 )?(껐|꺼졌)|(구급차|경찰|소방차)(가|는)? ?(왔|와서)")
# After a medical emergency, also: the hospital has seen to it ("we went to the hospital", "уже были в больнице",
# "roi, di benh vien r", "병원 다녀왔어요").
_TREATED = re.compile(_SAFE_NOW.pattern + r"|\b(went|been|came back from|got back from) (to )?(the )?(hospital|er)\b|"
                      r"\b(already|now) (at|in) (the )?hospital\b|\b(уже )?(были|сходили|съездили|ходили) в больниц|"
                      r"\bуже в больнице\b|\b(da )?di benh vien (r|roi)\b|\bda di benh vien\b|"
                      r"\b(dang )?o benh vien (r|roi)\b|"
                      r"병원(에)? ?(다녀왔|갔다 ?왔|갔었|다녀옴)|병원에 ?있어요")
# "No, that's all" without a question asked: a polite end ("아니요 됐어요", "нет, спасибо", "ko can dau").
_KO_THANKS = r"감사합니다|감사해요|고마워요|고마워|고맙습니다|감사|ㄱㅅ|ㄳ"
_CLOSING = re.compile(r"(?:(?:no|nope|nah|нет|не надо|ko|khong|k|아니요|아뇨|아니|ㄴㄴ|노노)[,.\s]+"
                      rf"(?:thanks?|thank you|спасибо|cam on|{_KO_THANKS})|"
                      r"(?:(?:no|nope|нет|ko|khong|아니요|아뇨|아니|ㄴㄴ|노노|ok|ок|ㅇㅋ|thanks?|thank you|спасибо|"
                      rf"cam on|{_KO_THANKS})"
                      r"[,.\s]*){0,3}"
                      r"(?:thats all|that'?s all|nothing( else)?|all good|больше ничего|ничего не надо|"
                      r"ko can (dau|nua)|khong can (dau|nua)|het roi|됐어요|됐어|괜찮아요|없어요|됐습니다|괜찮습니다))"
                      rf"(?:[,.\s]*(?:bye|пока|до свидания|thanks?|спасибо|cam on|{_KO_THANKS}))?")
# A request for another language made to show the answer to someone ("엄마한테 보여주게", "to show my landlord",
# "de chong toi doc", "соседу покажу").
_TO_SHOW = re.compile(r"\bshow\b|보여|읽게|읽으시게|읽을 ?수 ?있게|покаж|показать|прочита|прочтет|прочтёт|"
                      r"\bcho \w+ (xem|doc)\b|"
                      r"\bde \w+( \w+)? doc\b|\b(xem|doc) (giup|duoc)\b")
# Asked to write the answer just given in another language ("엄마 한국말 몰라요 러시아말로 써주세요", "write that in
# Korean"): a copy of that answer for someone, as with _TO_SHOW, when there is an answer to copy.
_WRITE_IT = re.compile(r"써 ?(주|줘|줄)|적어 ?(주|줘)|\bwrite (it|that|this)\b|\bнапиши(те)? (это|мне это)\b|"
                       r"\bviet (lai|cai nay|giup)\b")
# A language named as the manner of answering ("по-корейски", "in Korean", "bằng tiếng Hàn", "한국어로").
_IN_LANGUAGE = {
    "ko": re.compile(r"по[- ]?корейски|на корейском|\bin korean\b|\btieng han\b|한국어로|한국말로"),
    "ru": re.compile(r"по[- ]?русски|на русском|\bin russian\b|\btieng nga\b|러시아어로|러시아말로"),
    "en": re.compile(r"по[- ]?английски|на английском|\bin english\b|\btieng anh\b|영어로"),
    "vi": re.compile(r"по[- ]?вьетнамски|на вьетнамском|\bin vietnamese\b|\btieng viet\b|베트남어로|베트남말로"),
}
# ... unless someone there is to speak it ("там говорят по-русски?", "co ai noi tieng viet ko").
_SPEAKS = re.compile(r"\bspeak|\btalk|\binterpret|\bговор|\bпонима|\bпереводч|\bnoi\b|\bhieu\b|\bphien dich|"
                     r"\bthong dich|말하|말할|하는 ?사람|하시는|통역|알아듣")
_QUESTION = re.compile(r"\?|^(what|when|where|how|can|is|do|does)\b|\b(ли|как|когда|где|сколько|можно)\b|"
                       r"\b(khong|ko|k|chua|nao|sao|gi|dau)\s*\??$|(나요|까요|죠|어요|에요|해요|돼요|되요)\s*\??$",
                       re.IGNORECASE)
# Programmes an eligibility check exists for, by the topic of their answer.
CHECKABLE_TOPICS = {**PROGRAM_TOPICS, "faq_integrated_care": "integrated-care"}
PROGRAM_FAQ = {program: topic for topic, program in CHECKABLE_TOPICS.items()}
MORE_PAGE = 3
# Topics with a place in every district: a district said right after their answer ("동구요", "а в Квансан-гу?")
# asks for that district's place, not for everything in the district.
TOPIC_CATEGORIES = {"faq_family_center": ("family",),
                    # Family centres teach Korean too (to marriage migrants and their children).
                    "faq_korean_classes": ("korean_classes", "family"),
                    "faq_legal_aid": ("legal",), "faq_hospital_interpreter": ("health",),
                    # Childcare's answer sends families to their district's Family Centre.
                    "faq_childcare": ("family",)}
# The districts' Korean names, as the content writes them ("남구는 수거 전날 20:00부터").
DISTRICT_KO = {"dong-gu": "동구", "seo-gu": "서구", "nam-gu": "남구", "buk-gu": "북구", "gwangsan-gu": "광산구"}
# A topic whose answer sends residents to the neighbourhood's community centre.
_COMMUNITY_CENTRE = re.compile(r"주민센터|행정복지센터")
ALIASES_TTL_S = 30  # an admin's new alias is used within half a minute
_PHONE_NUMBER = re.compile(r"(?<![\d-])(?:\d{2,4}-\d{3,4}(?:-\d{4})?|1[3-9]\d{2})(?![\d-])")
# What a named place answers for itself ("조선대병원 전화번호요").
PLACE_FACTS = frozenset({"address", "phone", "hours", "when", "fee", "website", "languages"})
# Topics after which months of missed premiums ("2달 밀렸어요") are a follow-up, not unpaid wages.
INSURANCE_TOPICS = frozenset({"faq_health_insurance", "faq_insurance_arrears"})
# Paying for care: after them, a resident without papers ("no visa") is told of the free clinic.
CARE_COST_TOPICS = frozenset({"faq_medical_cost_support", *INSURANCE_TOPICS})
# No papers, said alone ("no visa", "без визы", "ko co giay to", "비자 없어요", "불법체류").
_NO_PAPERS = re.compile(r"\bno (visa|papers|documents|arc)\b|\bundocumented\b|\billegal\b|"
                        r"\bбез (визы|документов)\b|\bнелегал|\b(ko|khong|k) (co )?(visa|giay to)\b|\bbat hop phap\b|"
                        r"비자(가|는)? ?없|불법 ?체류|미등록")
# Facts only a topic's own record gives (no place has them); a topic without one leaves the message to Rasa.
TOPIC_ONLY_FACTS = frozenset({"balance", "use", "conditions", "services", "appliances", "large_items", "advice"})
_LEADING_COMMAND = re.compile(r"^[\s/]+")
# An emergency message that asks where to go: the emergency rooms go with "call 119".
_ASKS_FOR_HOSPITAL = re.compile(r"hospital|emergency room|\ber\b|clinic|больниц|клиник|приемн|травмпункт|"
                                r"benh vien|phong kham|cap cuu|병원|응급실|의원|where|где|куда|o dau|어디|open|открыт|"
                                r"mo cua|문 ?연")
# The rescuers named in "help has come" (whose names are also the emergency lines' names).
_NAMES_RESCUE = re.compile(r"ambulance|police|firefighter|скорая|полиция|пожарные|cap cuu|cong an|cuu hoa|"
                           r"구급차|경찰|소방차")
# Two things asked at once ("адрес и телефон", "so do co tieng viet ko, chu nhat goi dc ko", "주소랑 전화번호요").
_JOINED = re.compile(r",|\+|&|\band\b|\bи\b|\bva\b|하고|이랑|(?<=[가-힣])랑|그리고")
# A birth year given alone ("1988", "1963 г.", "1990년"): an answer, after a programme's answer.
_BARE_YEAR = re.compile(r"(19[2-9]\d|20[0-2]\d)\s*(년|г\.?|год)?")
# The programmes whose check starts with an age (a bare number after their answer is one).
AGE_PROGRAMS = frozenset({"culture-nuri", "youth-culture-pass"})


def _question_asked(text: str) -> Optional[str]:
    """The topic fact a message's first sentence asks ("is it free? we are 2 …": the fee), if any."""
    first = re.split(r"(?<=[?？.!])\s+|,\s*", text.strip(), maxsplit=1)[0]
    fact = detect_followup(first)
    return fact if fact in ("fee", "documents", "when", "hours", "services", "conditions") else None


def _bare_age(text: str, program: str) -> Optional[int]:
    """A number alone ("62") sent right after the answer of a programme decided by age: that age."""
    match = re.fullmatch(r"\d{1,3}", text.strip())
    age = int(match.group(0)) if match else None
    return age if program in AGE_PROGRAMS and age is not None and 6 <= age <= 110 else None
_COMMAND = re.compile(r"^/([a-z]+)(?:@\w+)?$")

# Documented commands (Telegram's menu; they work as typed text on every
# channel). Each maps to the payload it stands for; "language" shows the
# language buttons. Any other text starting with "/" is treated as text.
COMMANDS: dict[str, str] = {
    "start": "start",
    "help": "/help",
    "staff": "/request_human",
    "language": "language",
    "forget": FORGET,
}

# "Delete my data", in the four languages (matched on the folded text: Vietnamese without its marks).
_FORGET_REQUEST = re.compile(
    r"\b(delete|erase|remove|wipe)\b.{0,20}\b(my|all)\b.{0,20}\b(data|information|info|messages|history|"
    r"conversation)\b|\bforget (about )?me\b|"
    r"удал\w*.{0,30}(данн|сообщени|переписк|информаци|истори)|забудь(те)? (меня|мои)|"
    r"\bxoa\b.{0,15}(du lieu|tin nhan|thong tin|lich su)|"
    r"(정보|데이터|기록|메시지|대화).{0,8}(삭제|지워|지우)")


# Topics where what a resident says they are paid is compared with the minimum wage.
WAGE_TOPICS = frozenset({"faq_minimum_wage", "faq_unpaid_wages"})
SCHOOL_TOPICS = frozenset({"faq_school_enrollment", "faq_school_transfer", "faq_childcare"})
BALANCE_WORDS = 16  # a question about a card's balance may come with a story ("my husband has card this year…")
# Topics about work, where "on Wednesday" means the labour office's Wednesday desk for foreign workers.
LABOUR_TOPICS = frozenset({"faq_unpaid_wages", "faq_severance_pay", "faq_workplace_abuse", "faq_workplace_change",
                           "faq_industrial_accident", "faq_minimum_wage"})
WEDNESDAY_DESK = "labour-office-wednesday-desk"
_ABOUT_WORK = re.compile(r"\bwork(er|ers)?\b|\bsalary\b|\bwages?\b|\blabou?r\b|\bработ|\bзарплат|\bтруд|"
                         r"\bluong\b|\blao dong\b|\blam viec\b|\bcong ty\b|노동|근로자|임금|월급|퇴직금")
_WEDNESDAY = re.compile(r"\bwednesdays?\b|\bwed\b|\bсред[уеы]\b|\bсредам\b|\bthu (4|tu)\b|\bt4\b|수요일")
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# A web address named in an answer ("youthculturepass.or.kr", "www.mnuri.kr", "hikorea.go.kr/...").
_WEBSITE = re.compile(r"\b(?:https?://)?(?:[a-z0-9-]+\.)+(?:kr|com|org|net)\b(?:/[^\s,)]*)?", re.IGNORECASE)


def _languages_unrecorded(place: Service) -> bool:
    """Whether nobody recorded a language the place speaks besides Korean."""
    return (place.languages_served or ["ko"]) == ["ko"]


def _asks_of_place(place: Service, text: str) -> bool:
    """Whether a message naming ``place`` asks about the place itself ("адрес 출입국"), not about a topic
    it also names ("출입국 비자 연장")."""
    words = fold_words(place.aliases or [])
    return not names_a_topic(without_names(text, place.aliases or []), place_words=words)


def clean(text: str) -> str:
    """Text as it can be stored and sent on: NUL dropped (SQLite stores it, PostgreSQL's text columns
    refuse it), a lone UTF-16 surrogate (valid in JSON, not in UTF-8) replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text.replace("\x00", ""))


class StorageUnavailable(RuntimeError):
    """The database did not take a message in time: nothing was stored, the channel says so."""


@dataclass(frozen=True)
class Incoming:
    """A message from a resident, as a channel adapter hands it over.

    ``kind`` is ``text`` or what else arrived (``sticker``, ``photo``,
    ``voice``, ``location``…); ``language_hint`` is the platform's guess
    (Telegram's ``language_code``), never trusted over the text.
    """

    channel: str
    user_key: str
    text: str
    kind: str = "text"
    channel_message_id: Optional[str] = None
    language_hint: Optional[str] = None
    location: Optional[tuple[float, float]] = None
    # Channels without a language hint (Kakao) offer the language switch with every answer.
    offer_language_switch: bool = False
    # Channels that deliver answers only as the response to a message (Kakao): the answers waiting for the
    # resident's next message are taken with it, in the transaction that stores it (Accepted.pending).
    collect_pending: bool = False

    def __post_init__(self) -> None:
        # From any channel: never a NUL or a lone surrogate, which would be a 5xx when stored.
        for name in ("user_key", "text", "channel_message_id", "language_hint"):
            value = getattr(self, name)
            cleaned = clean(value) if isinstance(value, str) else value
            if cleaned != value:
                object.__setattr__(self, name, cleaned)


@dataclass(frozen=True)
class Accepted:
    """A message stored and not answered yet."""

    resident: Resident
    inbound: Message
    conversation: Optional[Conversation]
    # An older message of the resident was still being answered when this one was stored: wait for it.
    behind: bool = True
    # Answers that waited for this message (``Incoming.collect_pending``), oldest first: ``(id, sender, text)``,
    # now ``delivering``; :meth:`DialogueCore.mark_sent` once the channel has them.
    pending: tuple[tuple[int, str, str], ...] = ()


async def _last_answers(session: AsyncSession, resident_id: int, count: int,
                        within_minutes: Optional[float] = None) -> list[str]:
    """The texts of the bot's last ``count`` answers to a resident (of the last minutes only, if given), newest
    first."""
    query = select(Message.text).where(Message.resident_id == resident_id, Message.direction == "out",
                                       Message.sender == "bot")
    if within_minutes is not None:
        query = query.where(Message.created_at > utcnow() - dt.timedelta(minutes=within_minutes))
    return list((await session.scalars(query.order_by(Message.id.desc()).limit(count))).all())


def _district_first(text: str) -> bool:
    """Whether a message is a district alone ("동구요"), or asks first for a district and then says why
    ("서구는요? 며느리 친구가 서구 살아서", "а в Квансан-гу? там подруга живёт")."""
    if len(text.split()) <= 3:
        return True
    first, _, rest = text.partition("?")
    return bool(rest.strip()) and len(first.split()) <= 3 and "district" in service_filters(first) and \
        len(text.split()) <= 10 and not names_a_topic(rest)


class DialogueCore:
    """Everything between a channel adapter and Rasa."""

    def __init__(self, settings: Settings, db: Database, rasa: RasaClient, live: Optional[LiveBus] = None,
                 coordinator: Optional[Coordinator] = None) -> None:
        self.settings = settings
        self.db = db
        self.rasa = rasa
        self.live = live or LiveBus()
        # One message of a resident at a time, across the gateway replicas when they share Redis.
        self.coordinator = coordinator or Coordinator(settings.redis_url)
        self.places = topic_places()
        self.topic_facts = topic_facts()
        self._alias_cache: dict[str, tuple[float, dict[str, list[str]]]] = {}
        # Admins' answers and edits, reloaded when the content version moves.
        self.content = LiveContent(db)
        self.content.listeners.append(self._alias_cache.clear)
        # (when read, the services by slug, their aliases by slug: one dict until the next read)
        self._service_cache: Optional[tuple[float, dict[str, Service], dict[str, list[str]]]] = None
        self.content.listeners.append(self._forget_services)

    # -- residents and storage -------------------------------------------------

    async def _resident(self, session: AsyncSession, channel: str, user_key: str) -> Resident:
        """The resident, seen now, created on their first message; their row stays locked until ``session``
        ends (PostgreSQL; SQLite's one connection serialises anyway), so that two messages of one resident
        are stored one after the other and the second sees the first (:meth:`_store_incoming`). One
        statement: the update that records when they were seen takes the row's lock and returns it."""
        query = (update(Resident).where(Resident.channel == channel, Resident.channel_user_key == user_key)
                 .values(last_seen_at=utcnow()).returning(Resident)
                 .execution_options(synchronize_session=False))
        resident: Optional[Resident] = (await session.scalars(query)).first()
        if resident is not None:
            return resident
        session.add(Resident(channel=channel, channel_user_key=user_key))
        try:
            await session.commit()
        except IntegrityError:  # created by a concurrent message of the same resident
            await session.rollback()
        created: Optional[Resident] = (await session.scalars(query)).first()  # held again, in the storing transaction
        if created is None:
            raise LookupError(f"resident {channel}:{user_key} was neither found nor created")
        return created

    async def _store_incoming(self, msg: Incoming) -> Optional[Accepted]:
        """Store the message before anything else. ``None`` for a repeat.

        A message that arrives while staff own the conversation is linked to it. The same transaction,
        holding the resident's row, says whether an older message of the resident is still being
        answered (``behind``: :meth:`_in_turn` then waits for it, and the resident is read again once
        it is done), and loads an admin's content edit. Mostly none is: the resident as read here is as
        their last message left them, and the message goes on without another transaction.
        """
        # Mask a little more than is kept, so a number cut at the end is masked too.
        keep = self.settings.max_message_chars + 1
        stored_text = mask(msg.text[: keep + 64])[:keep]
        if msg.kind != "text":
            stored_text = f"[{msg.kind}]" + (f" {stored_text}" if stored_text else "")
        async with self.db.session() as session:
            resident = await self._resident(session, msg.channel, msg.user_key)
            resident_id = resident.id
            if msg.channel_message_id is not None and await session.scalar(
                select(Message.id).where(
                    Message.resident_id == resident_id, Message.channel_message_id == msg.channel_message_id
                )
            ):
                log.info("repeated message %s from resident %s ignored", msg.channel_message_id, resident_id)
                return None
            behind, pending = await self._waiting(session, resident_id, msg.collect_pending)
            conversation = await convs.open_conversation(session, resident_id)
            await self.content.refresh(session)  # an admin's edit: live for this message
            inbound = Message(
                resident_id=resident.id,
                direction="in",
                sender="resident",
                text=stored_text,
                status=MessageStatus.RECEIVED.value,
                channel_message_id=msg.channel_message_id,
                conversation_id=conversation.id if conversation is not None else None,
            )
            session.add(inbound)
            if conversation is not None:
                conversation.last_resident_at = utcnow()
            try:
                await session.commit()
            except IntegrityError:  # the same message delivered twice at the same moment
                await session.rollback()
                log.info("repeated message %s from resident %s ignored", msg.channel_message_id, resident_id)
                return None
            return Accepted(resident, inbound, conversation, behind=behind, pending=pending)

    async def _waiting(self, session: AsyncSession, resident_id: int,
                       collect: bool) -> tuple[bool, tuple[tuple[int, str, str], ...]]:
        """In one read, with the resident's row held: whether an older message of the resident is still being
        answered (as :meth:`_older_unanswered`), and with ``collect`` the answers waiting for delivery (staff
        replies, late answers), oldest first, claimed: they become ``delivering``, so that no other response
        takes them too (``(id, sender, text)``; :meth:`mark_sent` once the channel has them)."""
        unanswered = self._being_answered()
        waiting = and_(Message.direction == "out", Message.status == MessageStatus.PENDING.value)
        rows = (await session.execute(
            select(Message.id, Message.direction, Message.sender, Message.text)
            .where(Message.resident_id == resident_id, or_(unanswered, waiting) if collect else unanswered)
            .order_by(Message.id))).all()
        pending = tuple((row.id, row.sender or "bot", row.text) for row in rows if row.direction == "out")
        if pending:
            await session.execute(update(Message).where(Message.id.in_([p[0] for p in pending])).values(
                status=MessageStatus.DELIVERING.value))
        return any(row.direction == "in" for row in rows), pending

    def _being_answered(self) -> ColumnElement[bool]:
        """A resident's message still being answered: received, and younger than the stale sweep's age."""
        return and_(Message.direction == "in", Message.status == MessageStatus.RECEIVED.value,
                    Message.created_at > utcnow() - dt.timedelta(seconds=self.settings.stale_s))

    async def _older_unanswered(self, session: AsyncSession, resident_id: int,
                                before: Optional[int] = None) -> bool:
        """Whether an earlier message of the resident (stored before ``before``, or before now) is still
        being answered; one left longer than the stale sweep's age does not count."""
        query = select(Message.id).where(Message.resident_id == resident_id, self._being_answered())
        if before is not None:
            query = query.where(Message.id < before)
        return await session.scalar(query.limit(1)) is not None

    async def _finish(
        self, resident: Resident, inbound: Message, reply: Reply, status: str, error: Optional[str] = None,
        channel: str = "", learn: bool = False,
    ) -> None:
        """Store the answer and the message's outcome in one transaction.

        A hand-off signalled by an action opens the conversation for staff in
        the same transaction, and the answer becomes the hand-off notice.
        ``learn``: the bot answered the message itself (not relayed to staff):
        a misunderstood message goes to the admins' inbox, and an FAQ answer
        may offer "did not help" (hamkke.inbox), in the same transaction.
        """
        async with self.db.session() as session:
            if reply.handoff is not None:
                lang = reply.language
                centre = default_centre()
                conversation = await convs.hand_off(session, resident, reply.handoff, lang, centre.slug)
                inbound.conversation_id = conversation.id
                place = await convs.position(session, conversation)
                wait = await convs.expected_wait_minutes(session, place)
                # What to do now stays first during an emergency ("call 119 now"), then the notice.
                urgent_line = [text for text, key in zip(reply.texts, reply.keys, strict=False)
                               if key.startswith("urgent_")][:1]
                reply.texts = urgent_line + handoff_notice(centre, lang, clock.now(), place, wait,
                                                           kakao=channel == "kakao")
                reply.cards, reply.cards_for, reply.buttons = [], {}, []
                reply.handed_off = True
                status = MessageStatus.HANDED_OFF.value
            outbound = Message(
                resident_id=resident.id,
                direction="out",
                sender="bot",
                text=reply.text,
                language=reply.language,
                status=MessageStatus.SENT.value,
                reply_to_id=inbound.id,
                conversation_id=inbound.conversation_id,
                # What the answer was (its catalog keys and topic), for the admins' content health page.
                payload={"keys": list(reply.keys), "topic": reply.about_topic,
                         **({"buttons": [{"label": b.label, "payload": b.payload} for b in reply.buttons]}
                            if reply.buttons else {})},
            )
            session.add(outbound)
            await session.flush()
            reply.stored_id = outbound.id
            if learn:
                await inbox.record(session, inbound, reply)
                offer = await inbox.feedback_offer(session, resident, inbound, outbound, reply, MAX_BUTTONS)
                if offer is not None:
                    reply.buttons.append(Button(*offer))
            await session.execute(
                update(Message)
                .where(Message.id == inbound.id)
                .values(status=status, language=inbound.language, answered_at=utcnow(), error=error,
                        conversation_id=inbound.conversation_id)
            )
            values: dict[str, Any] = {
                "language": resident.language,
                "language_source": resident.language_source,
                "offered_buttons": [{"label": b.label, "payload": b.payload} for b in reply.buttons] or None,
            }
            context = dict(resident.context or {})
            if reply.about_topic is not None or reply.about_service is not None:  # a new topic replaces the old one
                earlier = context.get("topic") if _fresh(context, "at", FRESH_MINUTES) else None
                # The topic's own place named next ("GIC 어딨어요?" after Korean classes): the topic is still what
                # the resident asks about, for what the place's record lacks ("주말반은 없어요?").
                within = None
                if reply.about_topic in (None, "service_card") and reply.about_service is not None:
                    within = earlier if isinstance(earlier, str) and self.places.get(earlier) == reply.about_service \
                        else context.get("within") if reply.about_service == context.get("service") else None
                context.update(topic=reply.about_topic, service=reply.about_service, event=reply.about_event,
                               events=reply.listed_events, at=utcnow().isoformat(), within=within)
            if reply.more_services is not None:
                context.update(more=reply.more_services, more_at=utcnow().isoformat())
            if reply.listed_services is not None:
                context.update(listed=reply.listed_services, listed_at=utcnow().isoformat())
            # How to say this answer again in another language (nothing: an older answer is not said again).
            context.update(redo=reply.redo or None, redo_at=utcnow().isoformat() if reply.redo else None)
            # The bot's own question, so that a bare "no" or "yes" is read as its answer.
            asked = next((QUESTIONS[key] if key in QUESTIONS else f"form:{key}" for key in reply.keys
                          if key in QUESTIONS or key in FORM_QUESTIONS), None)
            context.update(asked=asked, asked_at=utcnow().isoformat() if asked else None)
            urgent = next((key.removeprefix("urgent_") for key in reply.keys if key.startswith("urgent_")), None)
            if urgent is not None:
                context.update(urgent=urgent, urgent_at=context.get("urgent_at") if context.get(
                    "urgent") == urgent and _recent_urgency(resident) else utcnow().isoformat())
            values["context"] = context  # also what the message stated (_stated), set on the resident already
            resident.context = context
            await session.execute(update(Resident).where(Resident.id == resident.id).values(**values))
            await session.commit()
        if reply.handoff is not None or inbound.conversation_id is not None:
            self.live.publish("queue")
            self.live.publish("conversation", id=inbound.conversation_id)

    # -- the conversation ----------------------------------------------------

    def _current_language(self, resident: Resident, hint: Optional[str]) -> str:
        if resident.language in SUPPORTED_LANGUAGES:
            return resident.language
        if hint in SUPPORTED_LANGUAGES:
            return hint
        return self.settings.default_language

    def _pressed_button(self, resident: Resident, text: str) -> Optional[str]:
        for button in resident.offered_buttons or []:
            if text.strip() == button.get("label"):
                return button.get("payload")
        return inbox.pressed_again(resident.context, text)  # "did not help" pressed twice

    async def accept(self, msg: Incoming, patience: float = STORE_PATIENCE_S) -> Optional[Accepted]:
        """Store a message and nothing else (before a channel acknowledges it); ``None`` for a repeat.
        :meth:`handle` with the result answers it.

        A database that does not answer (PostgreSQL restarting) is tried again for ``patience``
        seconds; then :class:`StorageUnavailable`: the channel tells the resident to send again
        (Kakao) or refuses the update so that the platform delivers it again (Telegram).
        """
        pause, deadline = 0.1, time.monotonic() + patience
        while True:
            try:
                accepted = await self._store_incoming(msg)
                break
            except DATABASE_AWAY as exc:  # the database refused or dropped the connection
                if time.monotonic() + pause > deadline:
                    log.error("a message could not be stored: the database is away (%s)", type(exc).__name__)
                    raise StorageUnavailable(type(exc).__name__) from exc
                await asyncio.sleep(pause)
                pause = min(pause * 2, 1.0)
        if accepted is not None:
            await self.coordinator.hold(accepted.inbound.id)  # another replica answers it if this one dies
        return accepted

    async def handle(self, msg: Incoming, accepted: Optional[Accepted] = None) -> Optional[Reply]:
        """Answer one message (stored first, unless :meth:`accept` stored it). ``None`` for a repeat."""
        if accepted is None:
            accepted = await self.accept(msg)
            if accepted is None:
                return None
        resident, inbound, conversation = accepted.resident, accepted.inbound, accepted.conversation
        log.info("message %s from resident %s via %s: %s", inbound.id, resident.id, msg.channel,
                 text_for_log(msg.text))
        try:
            if accepted.behind:
                await self._in_turn(resident.id, inbound.id)
            async with self.coordinator.lock(f"resident:{resident.id}"):
                if accepted.behind:  # as the resident's previous message left them (topic, question, language)
                    async with self.db.session() as session:
                        resident = await session.get(Resident, resident.id) or resident
                        await self.content.refresh(session)
                forgetting = await self._forget_step(resident, inbound, msg)
                if forgetting is not None:
                    return forgetting
                return await self._handle(msg, resident, inbound, conversation)
        finally:
            await self.coordinator.let_go(inbound.id)

    async def _forget_step(self, resident: Resident, inbound: Message, msg: Incoming) -> Optional[Reply]:
        """"Delete my data" (words or /forget, on any channel, staff holding the conversation or not):
        say what will be deleted and ask to confirm; on confirmation delete everything about the
        resident in every store (hamkke.retention.forget: a conversation staff hold goes too) and say
        so, storing nothing. ``None`` when the message is not about that."""
        text = normalise(msg.text).strip()
        if msg.kind != "text" or not text:
            return None
        lang = self._current_language(resident, msg.language_hint)
        payload = self._pressed_button(resident, text)
        command = _COMMAND.match(text.lower())
        asked = (resident.context or {}).get("asked") == "forget" and _fresh(resident.context or {}, "asked_at", 10)
        if payload == FORGET_CONFIRM and asked:
            from hamkke.retention import forget

            await forget(self.db, self.settings.rasa_tracker_url, resident.id)
            self.live.publish("queue")
            return Reply(language=lang, texts=[t("forget_done", lang)], keys=["forget_done"])
        if payload == FORGET_CANCEL and asked:
            reply = Reply(language=lang, texts=[t("forget_kept", lang)], keys=["forget_kept"])
        elif (command and COMMANDS.get(command.group(1)) == FORGET) or (
                len(text) <= 120 and _FORGET_REQUEST.search(fold(text).lower())):
            inbound.language = lang
            reply = Reply(language=lang, texts=[t("forget_ask", lang, days=f"{self.settings.retention_days:g}")],
                          keys=["forget_ask"], buttons=[Button(t("button_forget_yes", lang), FORGET_CONFIRM),
                                                        Button(t("button_forget_no", lang), FORGET_CANCEL)])
        else:
            return None
        await self._finish(resident, inbound, reply, MessageStatus.ANSWERED.value, channel=msg.channel)
        return reply

    async def _in_turn(self, resident_id: int, message_id: int) -> None:
        """Wait while an older message of the same resident is still being answered (by this replica or
        another), so that a resident's messages are answered in the order they were stored. Bounded: a
        message a replica left when it died is released by :meth:`orphaned` (or the stale sweep)."""
        pause, deadline = 0.01, time.monotonic() + IN_TURN_WAIT_S
        while time.monotonic() < deadline:
            async with self.db.session() as session:
                if not await self._older_unanswered(session, resident_id, before=message_id):
                    return
            await asyncio.sleep(pause)
            pause = min(pause * 2, 0.1)

    async def _handle(self, msg: Incoming, resident: Resident, inbound: Message,
                      conversation: Optional[Conversation]) -> Reply:
        if conversation is not None:
            return await self._with_staff(resident, inbound, conversation, msg)
        try:
            reply, status, error = await self._answer(resident, inbound, msg)
        except Exception:  # never lose a message: mark it for staff, tell the resident
            log.exception("message %s failed", inbound.id)
            lang = self._current_language(resident, msg.language_hint)
            reply, status, error = simple("busy", lang, [human_button(lang)]), "failed", "internal error"
        payloads = {b.payload for b in reply.buttons}
        if msg.offer_language_switch and "language" not in payloads and len(reply.buttons) < MAX_BUTTONS and \
                not any(p.startswith("lang:") for p in payloads):
            reply.buttons.append(Button(t("button_language", reply.language), "language"))
        self._privacy_notice(resident, reply, status, msg.channel)
        await self._finish(resident, inbound, reply, status, error, channel=msg.channel, learn=True)
        if status == MessageStatus.FAILED.value:
            self.live.publish("queue")  # staff see the failure at once
        return reply

    async def _fact_while_waiting(self, resident: Resident, text: str, lang: str) -> Optional[Reply]:
        """A place's address, phone, hours, website or languages asked while the resident waits for staff
        ("где это?", "what is GIC's phone number"), from the place's record; ``None`` for anything else
        (staff answer it). The caller adds that the request still waits."""
        place = await self._named_place(text)
        fact = detect_followup(text, place_named=place is not None)
        if fact not in ("address", "phone", "hours", "website", "languages"):
            return None
        if place is not None and not _asks_of_place(place, text):
            return None  # "GIC's visa question": staff answer it
        answer = await self._followup(resident, fact, lang, named=place)
        return answer if answer is not None and "followup" in answer.keys else None

    async def _topic_while_waiting(self, resident: Resident, text: str, lang: str) -> Optional[Reply]:
        """A clear question of a topic asked while the request for a person waits ("where do I find a new
        job, E-9?"): the topic's answer at once (the caller adds that the request still waits; staff see the
        message too). Only when the classifier is sure, and never for small talk or a request for a person."""
        if len(text.split()) < 3:
            return None
        intent, confidence = await self.rasa.parse(resident.conversation_id, mask(without_greeting(text)))
        if intent is None or confidence < WAITING_CONFIDENCE or not intent.startswith("faq_") or not has(intent, lang):
            return None
        answer = Reply(language=lang, texts=[t(intent, lang)], keys=[intent], about_topic=intent)
        await self._date_the_programmes(answer, lang)
        return answer

    def _privacy_notice(self, resident: Resident, reply: Reply, status: str, channel: str) -> None:
        """The first answer to a new KakaoTalk resident ends with one short paragraph on what is kept, for
        how long and how to delete it (``reply.notice``), once (a resident is new again after their data
        was deleted). Telegram's /start welcome says it already. An urgent answer, a hand-off or a
        failure keeps its own words and the notice comes with the next answer."""
        context = resident.context or {}
        if channel != "kakao" or context.get("notice_at") or status == MessageStatus.FAILED.value \
                or reply.relayed or reply.handoff is not None or any(k.startswith("urgent_") for k in reply.keys):
            return
        reply.notice = t("privacy_notice", reply.language, days=f"{self.settings.retention_days:g}")
        resident.context = {**context, "notice_at": utcnow().isoformat()}

    async def _with_staff(self, resident: Resident, inbound: Message, conversation: Conversation,
                          msg: Incoming) -> Reply:
        """A message while staff own the conversation: stored for them, not answered by the bot.

        Only "cancel" and "how long?" (and the "talk to a person" button) get an
        answer from the gateway; everything else appears in the console at once.
        """
        lang = self._current_language(resident, msg.language_hint)
        text = normalise(msg.text).strip()
        detection = detect(text) if msg.kind == "text" and text else None
        if detection is not None and detection.confident and detection.language in SUPPORTED_LANGUAGES \
                and detection.language != lang and len(text.split()) > 2:
            lang = resident.language = detection.language  # answered in the language they write now
            resident.language_source = "detected"
        inbound.language = lang
        payload = self._pressed_button(resident, text)
        waiting = conversation.status == convs.WAITING
        # "됐어요" to a staff member can mean "that worked": a cancel counts while the request waits,
        # or, once staff hold it, when the resident says the word itself ("취소해주세요", "отмена").
        if msg.kind == "text" and (payload == "cancel" or (waiting and is_cancel(text)) or is_explicit_cancel(text)):
            await convs_close(self.db, conversation.id)
            await self.rasa.end_form(resident.conversation_id)
            reply = simple("handoff_cancelled", lang, [Button(t("button_help", lang), "/help"), human_button(lang)])
            await self._finish(resident, inbound, reply, MessageStatus.ANSWERED.value, channel=msg.channel)
            return reply
        if msg.kind == "text" and (payload == "/request_human" or is_wait_question(text)):
            async with self.db.session() as session:
                fresh = await session.get(Conversation, conversation.id)
                place = await convs.position(session, fresh) if fresh is not None else 0
                wait = await convs.expected_wait_minutes(session, place) if place else None
            held = fresh is not None and fresh.status == convs.HELD
            reply = Reply(language=lang, texts=[
                queue_status(default_centre(), lang, clock.now(), max(1, place), wait, held)])
            await self._finish(resident, inbound, reply, MessageStatus.ANSWERED.value, channel=msg.channel)
            return reply
        if msg.kind == "text" and waiting and detect_urgent(text) is None:
            answer = await self._fact_while_waiting(resident, text, lang) or \
                await self._topic_while_waiting(resident, text, lang)
            if answer is not None:
                # "Meanwhile, what is GIC's phone number?" while nobody has taken the request yet: a fact
                # of a place the bot knows for certain is answered at once; the message stays for staff.
                answer.texts.append(t("handoff_still_waiting", lang))
                answer.keys.append("handoff_still_waiting")
                answer.buttons = []
                await self._finish(resident, inbound, answer, MessageStatus.FOR_STAFF.value, channel=msg.channel)
                self.live.publish("conversation", id=conversation.id)
                self.live.publish("queue")
                return answer
        async with self.db.session() as session:
            await session.execute(update(Message).where(Message.id == inbound.id).values(
                status=MessageStatus.FOR_STAFF.value, language=lang))
            await session.execute(update(Resident).where(Resident.id == resident.id).values(
                language=resident.language, language_source=resident.language_source))
            await session.commit()
        self.live.publish("conversation", id=conversation.id)
        self.live.publish("queue")
        urgency = detect_urgent(text) if msg.kind == "text" else None
        if urgency is not None:  # staff will read it; what to do now cannot wait for them
            return Reply(language=lang, texts=[t(first_line_key(urgency), lang)])
        return Reply(language=lang, relayed=True)

    async def _answer(self, resident: Resident, inbound: Message, msg: Incoming) -> tuple[Reply, str, Optional[str]]:
        lang = self._current_language(resident, msg.language_hint)
        text = normalise(msg.text).strip()

        metadata: dict[str, Any] = {"lang": lang, "channel": msg.channel}
        if msg.kind == "location" and msg.location is not None:
            # A shared location asks for the nearest services.
            inbound.language = lang
            metadata["location"] = {"latitude": msg.location[0], "longitude": msg.location[1]}
            return await self._ask_rasa(resident, inbound, "/find_service", metadata, lang)
        if msg.kind != "text":
            return simple("non_text", lang, [human_button(lang)]), "answered", None
        if not text:
            return simple("message_empty", lang), "rejected", None
        if len(text) > self.settings.max_message_chars:
            # Said in the language of the message itself when it is clear (a first message has no other).
            detected = detect(text[:500])
            if detected.language in SUPPORTED_LANGUAGES and detected.confident:
                lang = detected.language
                inbound.language = lang
            return simple("message_too_long", lang, limit=self.settings.max_message_chars), "rejected", None

        if is_translit_russian(text):
            # "pomogite", "skolko stoit": Russian typed without a Cyrillic keyboard is read as Russian
            # (the message is stored as typed).
            text = to_cyrillic(text)
        payload = self._pressed_button(resident, text)
        command = _COMMAND.match(text.lower())
        if payload is None and command and command.group(1) in COMMANDS:
            payload = COMMANDS[command.group(1)]
        if payload == "language":
            reply = simple("language_choose", lang)
            reply.add_buttons(language_buttons())
            return reply, "answered", None
        if payload == "start":
            # What the assistant does and how it keeps personal data, then the languages.
            reply = simple("welcome", lang, days=f"{self.settings.retention_days:g}")
            reply.add_buttons(language_buttons())
            reply.add_buttons([Button(t("button_help", lang), "/help"), human_button(lang)])
            return reply, "answered", None
        if payload and payload.startswith("lang:"):
            return await self._switch_language(resident, inbound, payload[5:]), "answered", None
        if payload and payload.startswith(inbox.NOT_HELPFUL):  # once per answer, however often pressed
            async with self.db.session() as session:
                await inbox.not_helpful(session, resident.id, payload)
                await session.commit()
            reply = simple("feedback_thanks", lang, [human_button(lang), Button(t("button_help", lang), "/help")])
            reply.keys.append("feedback_thanks")
            return reply, "answered", None

        if payload is None:
            # "korean" while the check waits for its answer (the nationality) is that answer, not a switch.
            bare = None if self._in_check(resident) else language_switch_request(text)
            wanted = bare or explicit_switch_request(text)
            if wanted:
                written = detect(text)  # ("korean" alone is a language name: confirmed in that language)
                rest = "" if bare else without_switch_request(text)
                asks_more = len(rest.split()) >= 3 and bool(
                    _QUESTION.search(rest) or named_program(rest) or names_a_topic(rest) or detect_urgent(rest))
                for_someone = not bare and written.confident and written.language in SUPPORTED_LANGUAGES and \
                    written.language != wanted and not writes_in(text, wanted)
                # Asked to show an answer to someone ("…to show my landlord"), not to be answered so from now on.
                context, request = resident.context or {}, fold(text.casefold())
                once = for_someone and bool(_TO_SHOW.search(request) or (
                    _WRITE_IT.search(request) and _fresh(context, "at", FRESH_MINUTES)
                    and (context.get("topic") or context.get("service") or context.get("event"))))
                # (The question sent with the request is answered in the language asked for, whatever it is
                # written in: the switch counts as chosen until then.)
                reply = await self._switch_language(resident, inbound, wanted, once=once and not asks_more)
                if for_someone:
                    # "우리 엄마가 러시아어만 해요. 러시아어로 대답해 주세요": the son who asked reads the
                    # confirmation in his own language; his mother reads the answers that follow. (Who also
                    # wrote in the language asked for, "…дочке покажу. 한국어로 해주세요", reads it in that one.)
                    confirmation = reply.keys.index("language_changed") if "language_changed" in reply.keys else 0
                    reply.texts[confirmation] = t(f"language_changed_to_{wanted}", str(written.language))
                if asks_more:
                    # "아내가 베트남 사람인데 한국어 배울 곳 있어요? 베트남어로 답해 주세요": the question is
                    # answered too, in the language asked for, after the confirmation.
                    whole, status, error = await self._answer(
                        resident, inbound, dataclasses.replace(msg, text=rest, language_hint=wanted))
                    if once:
                        resident.language_source = "detected"
                    whole.prepend(reply.texts[:1], reply.keys[:1])
                    return whole, status, error
                return reply, "answered", None
            detection = detect(text)
            if detection.language == UNSUPPORTED and (detection.confident or resident.language is None):
                inbound.language = UNSUPPORTED
                return self._unsupported_language(lang), "answered", None
            if (detection.language == "ko" and resident.language not in (None, "ko")
                    and len(text.split()) <= 2):
                # "차상위", "외국인등록증": Goryeoin and Vietnamese residents answer with
                # Korean administrative words; a word or two does not change the language.
                detection = dataclasses.replace(detection, confident=False)
            new_lang = choose_language(detection, resident.language, resident.language_source,
                                       msg.language_hint if msg.language_hint in SUPPORTED_LANGUAGES
                                       else self.settings.default_language)
            if new_lang != resident.language:
                resident.language = new_lang
                resident.language_source = "detected"
            lang = new_lang
            # Typed text never reaches Rasa as "/intent{...}": only buttons may. A greeting
            # that carries a question goes without the greeting: the question is answered.
            rasa_text = _LEADING_COMMAND.sub("", mask(without_greeting(text))) or "?"
        else:
            rasa_text = payload
        inbound.language = lang
        metadata["lang"] = lang
        said = stated_facts(text, clock.today()) if payload is None else {}  # facts this message states
        stated = self._stated(resident, said)
        if stated:
            metadata["stated"] = stated
        over: Optional[Urgency] = None
        # ("roi, di benh vien r. gio cty ko cho bao 산재": after an injury, the hospital has seen to it)
        safe = _SAFE_NOW if _recent_urgency(resident) is not Urgency.MEDICAL else _TREATED
        if payload is None and safe.search(fold(text.casefold()) + " " + text) and \
                _recent_urgency(resident) in (Urgency.VIOLENCE, Urgency.FIRE, Urgency.MEDICAL):
            # "e an toan r. doi cho lam thi can lam gi": the danger is over; what comes next is answered as it is.
            over = _recent_urgency(resident)
            resident.context = {**(resident.context or {}), "urgent": None, "urgent_at": None}
            if str(resident.context.get("service")) in URGENT_PLACES.values():
                # "소방차 왔어요 이제 어디 연락해야돼요?": not where 119 is; what comes next is a question of its own.
                resident.context = {**resident.context, "topic": None, "service": None}
            # The classifier reads what follows ("구급차 왔어요 형 보험 없어요 병원비 어떡해요": the hospital bill);
            # the words that say help has come would pull it back to the emergency numbers.
            for source in (rasa_text.casefold(), fold(rasa_text.casefold())):
                rest = " ".join(safe.sub(" ", source).strip(" .,!;:").split())
                if rest != " ".join(source.split()) and len(rest.split()) >= 3:
                    rasa_text = rest
                    break
        urgency = detect_urgent(text) if payload is None else None
        if urgency is not None and urgency is over:
            urgency = None  # "fire is out now. landlord says i pay for damage": the fire is told as over
        if urgency is Urgency.OVERSTAY:
            recent = _recent_urgency(resident)
            if recent in _EMERGENCIES_UNDER_WAY and _CALLS_EMERGENCY.search(fold(text.casefold()) + " " + text):
                # "My friend has no visa, can we still call 119?" while the emergency goes on: what to do now
                # comes first, as it did a minute ago; the visa can wait.
                urgency = recent
        place_note: Optional[Reply] = None  # a named place said before Rasa's answer
        if payload is None and urgency is None:
            answer = self._short_answer(resident, text, lang)
            if isinstance(answer, Reply):
                return answer, "answered", None
            if isinstance(answer, str):  # "yes" to "did you mean…?": that topic
                rasa_text = answer
                reply, status, error = await self._ask_rasa(resident, inbound, rasa_text, metadata, lang)
                return reply, status, error
            if _CLOSING.fullmatch(fold(text.casefold()).strip(" .!~")) and not self._in_check(resident) and \
                    _recent_urgency(resident) is None:
                # "아니요 됐어요", "нет, спасибо", "no thats all": the conversation ends politely.
                return simple("goodbye", lang), "answered", None
            context = resident.context or {}
            last_topic = str(context.get("topic") or "")
            if last_topic.startswith("faq_") and _fresh(context, "at", FRESH_MINUTES) and \
                    len(text.split()) <= 4 and is_unknown(text) and not self._in_check(resident) and \
                    _recent_urgency(resident) is None:
                # "не знаю" after an answer is no new question: who can tell (for the card: whether one is a
                # recipient or near-poor, which the community centre knows).
                key = "elig_unknown_benefit_status" if last_topic == "faq_culture_nuri" else "followup_dont_know"
                unknown = simple(key, lang, [human_button(lang)])
                unknown.keys.append(key)
                unknown.about_topic = last_topic
                return unknown, "answered", None
            # (A status said with the age, "시어머니가 62세시고 기초생활수급자세요", starts a check instead.)
            ages = others_ages(text) if context.get("topic") == "faq_culture_nuri" and _fresh(
                context, "at", FRESH_MINUTES) and not self._in_check(resident) and "benefit_status" not in said \
                else []
            if ages:
                # "мужу 66", "my mother in law is 63, she gets more?", "and my kids? 8 and 14": the card's
                # amount at each age (the classifier takes a husband or a mother-in-law for violence at home).
                amounts = await self._card_amounts(ages, lang)
                if amounts is not None:
                    return amounts, "answered", None
            topic = context.get("topic")
            code = bare_visa(text)
            if code and isinstance(topic, str) and topic.startswith("faq_") and topic not in CHECKABLE_TOPICS and \
                    _fresh(context, "at", FRESH_MINUTES) and has(topic, lang) and not self._in_check(resident):
                # "F4", "H2", "student D2" right after an answer: the visa the resident holds, not a question about
                # changing visas; the answer again, under that visa, and who knows their own case.
                again = Reply(language=lang, texts=[t("followup_visa", lang, visa=code), t(topic, lang)],
                              keys=["followup_visa", topic], about_topic=topic, about_service=context.get("service"))
                again.add_buttons([human_button(lang), Button(t("button_help", lang), "/help")])
                recent = _recent_urgency(resident)  # (what to do now stays first while the situation goes on)
                return (urgent_first(again, recent, lang, own_question=True) if recent else again), "answered", None
            # ("не знаю что такое 차상위. я получаю 생계급여": an answer to the check's question, which it goes on with)
            what_is = asks_what_status_is(text) and not (said and self._in_check(resident))
            if what_is or asks_how_to_get_status(text):
                # "как стать 차상위?", "차상위 신청 어떻게 해요?": who decides, and who among foreigners can be one
                # (the classifier heard naturalisation in "стать"); "а 차상위 это кто вообще": who counts as one (the
                # classifier heard "who are you"). A check waiting for its answer asks again.
                key = "benefit_status_what" if what_is else "benefit_status_how"
                how = Reply(language=lang, texts=[t(key, lang)], keys=[key],
                            about_topic=str(topic) if topic in CHECKABLE_TOPICS else None)
                asked = str(context.get("asked") or "")
                if self._in_check(resident) and asked.startswith("form:"):
                    how.texts.append(t(asked.removeprefix("form:"), lang))
                    how.keys.append(asked.removeprefix("form:"))
                how.add_buttons([human_button(lang), Button(t("button_help", lang), "/help")])
                return how, "answered", None
            if topic in CARE_COST_TOPICS and _fresh(context, "at", FRESH_MINUTES) and len(text.split()) <= 6 and \
                    _NO_PAPERS.search(fold(text.casefold()) + " " + text) and has("faq_free_clinic", lang):
                # "no visa" after the aid for the uninsured: the aid is not for them; the free clinic is.
                clinic = Reply(language=lang, texts=[t("faq_free_clinic", lang)], keys=["faq_free_clinic"],
                               about_topic="faq_free_clinic", about_service=self.places.get("faq_free_clinic"))
                clinic.add_buttons([human_button(lang), Button(t("button_help", lang), "/help")])
                return clinic, "answered", None
            more = await self._more_services(resident, text, lang) or \
                await self._topic_places_in_district(resident, text, lang) or \
                await self._district_after_topic(resident, text, lang, rasa_text)
            if more is not None:  # "more" after a list of services: the next few; "Dong-gu" after the
                return more, "answered", None  # family centres' answer: that district's family centre
            if asks_for_person(text):  # whatever the classifier guessed, a person was asked for
                return await self._ask_rasa(resident, inbound, "/request_human", metadata, lang)
            leaving = self._leaving_after_overstay(resident, text, urgency)
            if leaving is not None:  # (before events: "e muon ve vn an tet" is about leaving, not about Tết)
                return leaving, "answered", None
            event, last = await self._named_event(text) if len(without_greeting(text).split()) <= 16 else (None, None)
            if event is not None:
                # "when is tết?", "한국 설날은요?": that event's next occurrence, in full; with the events of the
                # same days that share its name ("5·18": the eve festival on the 17th, the ceremony on the 18th).
                shown = event_payload(event)  # (what comes next is about the event named: "где это?")
                together = [shown if e.id == event.id else event_payload(e) for e in await self._companions(event)]
                reply = Reply(language=lang, texts=["\n\n".join(render_event(e, lang) for e in together)],
                              keys=["event_named"], about_topic="events", about_event=shown,
                              listed_events=together if len(together) > 1 else None)
                if event.end_date < clock.today():
                    reply.texts.insert(0, t("event_named_past", lang))
                elif last is not None and event.start_date > clock.today() and \
                        (clock.today() - last.end_date).days <= LAST_ENDED_DAYS:
                    # "Is the Biennale still on?" a month after it closed: that it ended, then the next one.
                    reply.texts.insert(0, t("event_last_ended", lang, date=long_date(last.end_date, lang)))
                return reply, "answered", None
            before = await self._event_the_day_before(resident, text)
            if before is not None:  # "а накануне вечером что-то бывает?" after the 5·18 ceremony: the eve festival
                return Reply(language=lang, texts=[render_event(before, lang)], keys=["event_named"],
                             about_topic="events", about_event=before), "answered", None
            dated = self._listed_event_on_day(resident, text)
            if dated is not None and len(text.split()) <= 12 and not names_a_topic(text):
                # "what about may 20, where is it?", "5월 18일은요?" after a list: that event, in full.
                return Reply(language=lang, texts=[render_event(dated, lang)], keys=["event_named"],
                             about_topic="events", about_event=dated,
                             listed_events=(resident.context or {}).get("events")), "answered", None
            # (A day of the list named in a longer message is not May's list again either.)
            if dated is None and self._events_period_followup(resident, text):
                # "and in January?" after a list of events: the same question for that period.
                metadata["said"] = rasa_text
                return await self._ask_rasa(resident, inbound, "/faq_events", metadata, lang)
            # (not a place named in the words that say help has come: "소방차 왔어요 이제 어디 연락해야돼요?")
            place = None if over is not None and _SAFE_NOW.search(fold(text.casefold()) + " " + text) and \
                _NAMES_RESCUE.search(text.casefold()) else \
                await self._named_place(text, resident) or await self._listed_place(resident, text) or \
                await self._mentioned_place(resident, text)
            on_day = await self._place_of_the_day(resident, text) if place is None else None
            place = place or on_day
            about = await self._context_words(resident)
            # "тоже по-корейски" from one who chose Korean answers: the language of the answer, not a question
            # about the languages spoken there.
            folded_text = fold(text.casefold())
            same = ("languages",) if resident.language_source == "chosen" and _IN_LANGUAGE[lang].search(
                folded_text) and not _SPEAKS.search(folded_text) else ()
            topic_now = str(context.get("topic")) if _fresh(context, "at", FRESH_MINUTES) else None
            fact = detect_followup(text, place_named=place is not None, context_words=about, exclude=same,
                                   topic=topic_now)
            if fact == "arrears":  # "지금 2달 밀렸어요" after health insurance: what that does to the stay
                fact = "penalty" if context.get("topic") in INSURANCE_TOPICS else None
            if fact == "which_place":  # "which hospital?": the hospitals the topic's "where" names, if it names any
                where = str(self.topic_facts.get(str(context.get("topic")), {}).get("address", {}).get("en") or "")
                fact = "address" if re.search(r"hospital|clinic", where, re.IGNORECASE) and \
                    _fresh(context, "at", FRESH_MINUTES) else None
            if fact == "late":  # "chuyen 1 thang roi" after the address change's 15 days: what being late costs
                fact = "penalty" if context.get("topic") in DEADLINE_TOPICS else \
                    detect_followup(text, place_named=place is not None, context_words=about, exclude=(*same, "late"))
            if fact is None and context.get("topic") in PROGRAM_TOPICS and _fresh(context, "at", FRESH_MINUTES) and \
                    len(text.split()) <= BALANCE_WORDS and asks_about_balance(text):
                fact = "balance"  # "у меня с прошлого раза на карте деньги остались, они сгорят?" after the card
            if fact is None and len(text.split()) <= 10 and _NO_KOREAN.search(folded_text) and \
                    not _LEARN.search(folded_text) and "languages" not in same and \
                    context.get("topic") not in SCHOOL_TOPICS:
                # "my korean is bad" after the lease's answer: who interprets, not Korean classes. (A child at
                # school who speaks no Korean needs Korean support: the classifier's question.)
                fact = "languages"
            if on_day is not None and fact in (None, "hours", "when"):
                # "а лично сходить, в среду где?", "в среду можно прийти?": where the Wednesday desk is (its name says
                # its day; no hours were found).
                fact = "address"
            in_check = self._in_check(resident)  # the form's own question is pending: Rasa reads the answer
            if in_check and fact == "check":  # "when can we apply?" during the check asks when, not for a check
                fact = detect_followup(text, place_named=place is not None, exclude=("check",), context_words=about)
            program = None if in_check else (self._program_to_check(resident, fact)
                                             or self._program_for_facts(resident, text, said))
            named = None if in_check else named_program(text)
            if program is None and named is not None and (asks_to_check(text) or said):
                program = named  # "мне можно 문화누리카드?": the check, whatever the classifier guessed
            if program is not None:  # "can I get it?" right after a programme's answer: the check starts
                year = _BARE_YEAR.fullmatch(text.strip())
                age = _bare_age(text, program)
                if year:
                    metadata["stated"] = {**stated, "birth_year": int(year.group(1))}
                elif age is not None:  # "62" right after the card's answer (which names ages): an age
                    metadata["stated"] = {**stated, "birth_year": clock.today().year - age}
                reply, status, error = await self._ask_rasa(
                    resident, inbound, f'/check_eligibility{{"program":"{program}"}}', metadata, lang)
                topic = PROGRAM_FAQ.get(program)
                context = resident.context or {}
                if topic and has(topic, lang) and "eligibility_result" not in reply.keys and not (
                        context.get("topic") == topic and _fresh(context, "at", FRESH_MINUTES)):
                    # Named for the first time: what the programme is (and whether it is open now), then the
                    # check's first question (a result given at once says all of that itself).
                    intro = Reply(language=lang, texts=[t(topic, lang)], keys=[topic])
                    await self._date_the_programmes(intro, lang)
                    reply.prepend(intro.texts, intro.keys)
                elif topic and "eligibility_result" not in reply.keys:
                    # "Is it free? we are 2, income 5 million": what it costs, then the check's next question.
                    record = self.topic_facts.get(topic, {}).get(_question_asked(text) or "")
                    if record is not None and record.get(lang):
                        reply.prepend([str(record[lang])], ["followup"])
                reply.about_topic = topic or reply.about_topic
                await self._closed_now(reply, text, lang)
                return reply, status, error
            if place is not None and fact == "languages" and _languages_unrecorded(place) and \
                    (pick(place.address, lang) or place.phone not in (None, "112", "119", "1345")) and \
                    _asks_of_place(place, text):
                # "а в 조선대병원 есть кто по русски?": nobody recorded which languages its staff speak, so where
                # it is (or, for a line, its number) and whom to ask, then (from Rasa) how to get an interpreter
                # there. (Not for 119, 112 or 1345: their answers say how interpreting works on them.)
                place_note = self._place_fact(place, "address" if pick(place.address, lang) else "phone", lang, None)
                place_note.texts[0] += "\n" + t("followup_unknown", lang, name=pick(place.name, lang) or place.slug,
                                                 what=t("label_languages", lang).lower(),
                                                 phone=place.phone or place.confirm_phone or "1345")
            if place is not None and (fact in PLACE_FACTS or (on_day is not None and fact == "documents")) and \
                    _asks_of_place(place, text) and not (
                    fact == "languages" and _languages_unrecorded(place)):
                # "адрес 출입국", "조선대병원 전화번호요": that place's fact, whatever the context.
                followup: Optional[Reply] = await self._followup(resident, fact, lang, named=place)
            else:
                followup = await self._followup(resident, fact, lang, text=text) \
                    if fact and place_note is None else None
            if followup is not None and fact and _JOINED.search(folded_text + " " + text):
                # "so do co tieng viet ko, chu nhat goi dc ko", "주소랑 전화번호요": the second fact asked too.
                second = detect_followup(text, place_named=place is not None, context_words=about,
                                         exclude=(*same, fact, "late", "which_place", "arrears", "has"))
                if second in PLACE_FACTS and second != fact and not (
                        {fact, second} <= {"hours", "when", "booking"}):
                    extra = await self._followup(resident, second, lang, named=place if followup.about_service and
                                                 place is not None else None, text=text)
                    for line in extra.texts if extra is not None else []:
                        already = "\n".join(followup.texts)  # (a line whose every part was said is left out)
                        if not all(part in already for part in line.splitlines()):
                            followup.texts.append(line)
            if followup is not None:
                asked = str((resident.context or {}).get("asked") or "")
                if in_check:
                    # A question in the middle of a check: answered, then the check's question again.
                    followup.texts.append(t(asked.removeprefix("form:"), lang))
                    followup.keys.append(asked.removeprefix("form:"))
                recent = _recent_urgency(resident)
                if recent is Urgency.MEDICAL and fact == "address" and followup.about_service in EMERGENCY_LINES:
                    there = await self._the_place_just_named(resident, lang)
                    if there is not None:
                        # "거기 주소요" after "광주기독병원's night children's clinic is open until midnight": that one.
                        followup = await self._followup(resident, "address", lang, named=there) or followup
                    else:
                        # "어디로 가요?" after "call 119": the emergency rooms under the line, not the line's address.
                        rooms = urgent_first(Reply(language=lang, texts=[], keys=[]), recent, lang)
                        await self._add_emergency_rooms(rooms, lang, child=bool(_CHILD.search(folded_text)))
                        if "emergency_rooms" in rooms.keys:
                            return rooms, "answered", None
                return (urgent_first(followup, recent, lang) if recent else followup), "answered", None
            if not in_check and place is None and _NUMBER_ALONE.fullmatch(folded_text.strip(" ?.!")) and \
                    context.get("topic") not in WAGE_TOPICS | set(CHECKABLE_TOPICS) and \
                    _recent_urgency(resident) is None:
                # "5", "3 thang thi sao", "а если 5 месяцев?" right after an answer: a case of that topic (months
                # unpaid, months here), not a question of its own (the classifier hears re-entry in any duration).
                unsure = Reply(language=lang, keys=["fallback"])
                again = self._stay_on_topic(resident, unsure, lang)
                if again is not unsure:
                    return again, "answered", None
        leaving = self._leaving_after_overstay(resident, text, urgency) if urgency is Urgency.OVERSTAY and \
            payload is None else None
        if leaving is not None:  # "my visa ran out in October, I just want to go home": how to leave
            return leaving, "answered", None
        if urgency is not None:
            # What to do now cannot wait for a slow classifier: a related answer only if it comes quickly.
            try:
                reply, status, error = await asyncio.wait_for(
                    self._ask_rasa(resident, inbound, rasa_text, metadata, lang), URGENT_RASA_WAIT_S)
            except asyncio.TimeoutError:
                reply, status, error = Reply(language=lang), "answered", None
        else:
            reply, status, error = await self._ask_rasa(resident, inbound, rasa_text, metadata, lang)
            if place_note is not None and reply.handoff is None:
                if reply.keys and reply.keys[0] in NOT_UNDERSTOOD | SMALL_TALK | {"bot_challenge", "help"}:
                    # Nothing of Rasa's to add ("I'm an automated assistant"): interpreting by 1345 instead.
                    reply.texts, reply.keys, reply.cards, reply.cards_for = \
                        [t("label_other_languages", lang)], ["label_other_languages"], [], {}
                reply.prepend(place_note.texts, place_note.keys, place_note.cards_for)
                # The place named is what comes next ("адрес?"), not the topic Rasa answered with.
                reply.about_topic, reply.about_service = None, place_note.about_service
            # A question the classifier took for "goodbye" or "hello" ("그냥 먼저 일하고 나중에 신고해도
            # 되죠?") is no farewell either: it stays on the topic, with a person offered.
            also = SMALL_TALK if (len(text.split()) >= 3 or text.rstrip().endswith("?")) and _QUESTION.search(text) \
                else frozenset()
            if _WHAT_TO_DO.search(fold(text.casefold()).strip(" ?.!")):
                # "что делать?" after the arrears' answer: what to do about them (the answer says), with a person.
                also = also | SMALL_TALK | {"help"}
            if _WHAT_ABOUT.search(fold(text.casefold()).strip()):
                # "what about during winter vacation?", "방학때는요?", "а на каникулах?": the same topic, for
                # another case; the classifier's "what I can do" or "goodbye" is no answer to it.
                also = also | SMALL_TALK | {"help", "finder_ask_need"}
            if payload is None and (len(text.split()) <= FOLLOWUP_WORDS or also):
                reply = self._stay_on_topic(resident, reply, lang, also=also)
            if payload is None:
                self._compare_pay(resident, reply, text, lang)
                await self._introduce_new_programme(resident, reply, lang)
        program = self._program_to_check(resident, "check") if reply.keys == ["ask_program"] else None
        if program is not None:  # "which programme?" right after that programme's answer: no need to ask
            reply, status, error = await self._ask_rasa(
                resident, inbound, f'/check_eligibility{{"program":"{program}"}}', metadata, lang)
        if reply.about_topic is None and any(key in FORM_QUESTIONS for key in reply.keys):
            # The check asks its questions: the programme it checks is the topic ("where do I apply?").
            named = named_program(text) if payload is None else None
            context = resident.context or {}
            if named is not None:
                reply.about_topic = PROGRAM_FAQ.get(named)
            elif str(context.get("topic")) in CHECKABLE_TOPICS and _fresh(context, "at", FRESH_MINUTES):
                reply.about_topic = str(context.get("topic"))
        if payload is None:
            await self._closed_now(reply, text, lang)
        own_question = False
        if urgency is None and payload is None:
            # The situation described a few minutes ago is still going on: what to do stays first.
            urgency = _recent_urgency(resident)
            # A longer message then asks something of its own; a short one ("we don't speak
            # Korean") is still about the emergency.
            # Not after violence: the next questions are about the same situation ("if I leave him, will
            # I lose my visa?"), which its line answers, and the classifier reads them as other topics.
            # An overstay is no emergency going on: what comes next ("the hospital bill is too high") is a
            # question of its own, answered whole under the line, however short.
            # A short one that names a topic of its own ("с зарплатой тоже помогите", "no insurance, hospital
            # money?") asks it too.
            # A statement ("e ko biet tieng han nhieu") is still about the emergency, however long.
            # After violence (not at home), a message that names a topic of its own ("after this can my friend
            # change company?") asks it.
            own_question = urgency is Urgency.OVERSTAY or (urgency is Urgency.VIOLENCE and names_a_topic(text)) or (
                urgency not in (None, Urgency.VIOLENCE, Urgency.DOMESTIC_VIOLENCE)
                and ((len(text.split()) >= OWN_QUESTION_WORDS and bool(_QUESTION.search(text)))
                     or names_a_topic(text)))
        if urgency is not None:
            reply = urgent_first(reply, urgency, lang, own_question)
            folded = fold(text.casefold())
            if urgency is Urgency.MEDICAL and _ASKS_FOR_HOSPITAL.search(folded):
                # "what hospital is open?" in an emergency: the emergency rooms, under "call 119" (unless the
                # places found are among them; "애기병원 지금 하는데 있어요?" finds only phone lines open now).
                await self._add_emergency_rooms(reply, lang, child=bool(_CHILD.search(folded)))
            if urgency is Urgency.DOMESTIC_VIOLENCE and (_CHILD.search(folded) or _DIVORCE.search(folded)) and \
                    "faq_divorce_custody" not in reply.keys:
                # "дочке 4 года", "neu ly hon e co o lai dc k": who may stay after leaving (F-6-2 with a child of
                # the marriage, F-6-3 through no fault), under the line that says leaving does not end it.
                stay = self.topic_facts.get("faq_divorce_custody", {}).get("documents", {}).get(lang)
                if stay:
                    reply.texts.append(str(stay))
                    reply.keys.append("followup")
            status, error = ("handed_off" if reply.handoff is not None else "answered"), None
        return reply, status, error

    async def _card_amounts(self, ages: list[int], lang: str) -> Optional[Reply]:
        """What the Culture Nuri card gives at each age, by this year's rules, and whether its round is closed."""
        async with self.db.session() as session:
            records = await eligibility_records(session)
        try:
            record = rules_for("culture-nuri", clock.today(), records)
        except RulesError:
            return None
        rules = record["rules"]
        lines = [t("elig_cnuri_amounts_intro", lang, year=record["year"])]
        for age in ages:
            amount = card_amount(rules, clock.today().year - age)
            lines.append(t("elig_cnuri_too_young_line", lang, age=age) if amount is None else
                         t("elig_cnuri_amount_age_line", lang, age=age, amount_krw=amount))
        reply = Reply(language=lang, texts=["\n".join(lines)], keys=["elig_cnuri_amounts"],
                      about_topic="faq_culture_nuri")
        period = applications(record, clock.today())
        if period["state"] == "closed":
            reply.texts.append(t("elig_reason_period_closed", lang, year=record["year"], until_date=period["until"]))
            reply.keys.append("elig_reason_period_closed")
        reply.add_buttons([Button(t("button_help", lang), "/help"), human_button(lang)])
        return reply

    async def _introduce_new_programme(self, resident: Resident, reply: Reply, lang: str) -> None:
        """A check that moved to another programme in the middle ("아 그리고 시아버지 돌봄 받을 수 있어요?" while
        the card was checked): what that programme is first, then its first question."""
        if not reply.keys or reply.keys[0] not in FORM_QUESTIONS:
            return
        context = resident.context or {}
        topic = reply.about_topic
        if topic not in PROGRAM_FAQ.values() or not context.get("topic") or context.get("topic") == topic or \
                not has(str(topic), lang):
            return
        intro = Reply(language=lang, texts=[t(str(topic), lang)], keys=[str(topic)])
        await self._date_the_programmes(intro, lang)
        reply.prepend(intro.texts, intro.keys)

    def _compare_pay(self, resident: Resident, reply: Reply, text: str, lang: str) -> None:
        """"Мне платят 9000 в час, это нормально?" with the minimum wage's answer (or right after it): first
        whether that is below this year's minimum, and whom to tell."""
        context = resident.context or {}
        about_wages = bool(WAGE_TOPICS & set(reply.keys)) or (
            str(context.get("topic")) in WAGE_TOPICS and _fresh(context, "at", FRESH_MINUTES)
            and not any(key.startswith(("faq_", "ask_", "service_", "finder_", "events_")) for key in reply.keys))
        pay = stated_pay(text) if about_wages else None
        compared = compare(pay, clock.today()) if pay is not None else None
        if pay is None or compared is None:
            return
        below, minimum = compared
        key = f"wage_{'below' if below else 'not_below'}_{pay.per}"
        floor = minimum.hourly if pay.per == "hour" else minimum.monthly
        reply.prepend([t(key, lang, paid=f"{pay.amount:,}", minimum=f"{floor:,}", year=minimum.year)], [key])
        reply.about_topic = reply.about_topic or "faq_minimum_wage"

    async def _add_emergency_rooms(self, reply: Reply, lang: str, child: bool = False) -> None:
        """The hospitals with an emergency room (24 hours), as a short list; a follow-up refers to the first.
        For a child, the late-night children's clinic comes first, with its hours."""
        async with self.db.session() as session:
            rows = (await session.scalars(select(Service).where(Service.retired.is_(False)).order_by(Service.id))).all()
        rooms = [s for s in rows if {"health", "emergency"} <= set(s.categories or []) and s.address and s.phone]
        shown = {*(reply.listed_services or []), *([reply.about_service] if reply.about_service else [])}
        if not rooms or any(room.slug in shown for room in rooms):
            return
        def for_children(room: Service) -> bool:  # the late-night children's clinic (어린이병원) says so in its hours
            return child and "어린이" in str(pick(room.hours, "ko") or "")

        rooms.sort(key=lambda room: not for_children(room))  # stable: the others keep their order
        lines = [t("emergency_rooms", lang)]
        for room in rooms:
            hours = f"\n  {pick(room.hours, lang)}" if for_children(room) else ""
            lines.append(f"▪ {pick(room.name, lang)}\n  {pick(room.address, lang)}\n  {room.phone}{hours}")
        reply.texts.insert(1, "\n".join(lines))
        reply.keys.insert(1, "emergency_rooms")
        reply.about_topic, reply.about_service = "emergency_rooms", rooms[0].slug

    async def _ask_rasa(self, resident: Resident, inbound: Message, rasa_text: str, metadata: dict[str, Any],
                        lang: str) -> tuple[Reply, str, Optional[str]]:
        try:
            messages = await self.rasa.send(resident.conversation_id, rasa_text, metadata)
        except RasaUnavailable as exc:
            log.warning("Rasa unavailable for message %s: %s", inbound.id, exc)
            return simple("busy", lang, [human_button(lang)]), "failed", f"rasa: {exc}"[:200]

        reply = Reply(language=lang, redo=[])
        for message in messages:
            custom = message.get("custom")
            if not isinstance(custom, dict):
                log.warning("Rasa sent a message that is not a catalog key; ignored")
                continue
            try:
                text_out, buttons, handed_off = render_message(custom, lang)
            except MissingMessage:
                log.error("unknown catalog key %r from Rasa", custom.get("key"))
                continue
            reply.texts.append(text_out)
            if not handed_off and reply.redo is not None:
                reply.redo.append({"rasa": {k: v for k, v in custom.items() if k in ("key", "args", "program")}})
            key = str(custom.get("key"))
            reply.keys.append(key)
            service = (custom.get("args") or {}).get("service")
            services = (custom.get("args") or {}).get("services")
            if key == "service_list" and isinstance(services, list) and services and isinstance(services[0], dict):
                service = services[0]  # "where is it?" after a list: the first, best match
                reply.listed_services = [str(s["slug"]) for s in services if isinstance(s, dict) and s.get("slug")]
                rest = (custom.get("args") or {}).get("rest")
                reply.more_services = [str(slug) for slug in rest] if isinstance(rest, list) else []
            if key in ("service_card", "service_list") and isinstance(service, dict) and isinstance(
                    service.get("slug"), str):
                reply.about_topic, reply.about_service = key, service["slug"]
            elif key in FORM_QUESTIONS and PROGRAM_FAQ.get(str(custom.get("program"))):
                # The check's question names the programme it checks: follow-ups are about that programme.
                reply.about_topic = PROGRAM_FAQ[str(custom.get("program"))]
            elif key.startswith(("faq_", "ask_")) and key not in FORM_QUESTIONS and reply.about_topic is None:
                reply.about_topic, reply.about_service = key, self.places.get(key)
            events = (custom.get("args") or {}).get("events")
            if key in ("events_in_period", "events_upcoming") and isinstance(events, list) and events and \
                    isinstance(events[0], dict):
                reply.about_topic, reply.about_service = "events", None
                listed = [e for e in events if isinstance(e, dict)]
                reply.about_event = _event_asked_about(rasa_text, listed)
                reply.listed_events = listed[:MAX_LISTED_EVENTS]
            reply.add_buttons(buttons)
            cards = message_cards(custom, lang)
            if cards:
                reply.cards.extend(cards)
                reply.cards_for[len(reply.texts) - 1] = cards
            reply.ask_location = reply.ask_location or custom.get("key") == "finder_ask_need"
            reply.handed_off = reply.handed_off or handed_off
            signal = HandoffSignal.from_message(custom.get("handoff"))
            if signal is not None or handed_off:
                reply.handoff = signal or HandoffSignal()
            reply.guesses = reply.guesses or inbox.clean_guesses(custom.get("guesses")) or None
        if not reply.texts:
            return simple("fallback", lang, [human_button(lang)]), "failed", "empty answer"
        await self._date_the_programmes(reply, lang)
        return reply, ("handed_off" if reply.handed_off else "answered"), None

    def _short_answer(self, resident: Resident, text: str, lang: str) -> Union[Reply, str, None]:
        """A bare "no", "yes" read against the bot's own last question.

        "No" after "anything else?" ends the conversation politely; "yes" after
        "did you mean…?" takes the first topic offered (its payload is returned).
        """
        context = resident.context or {}
        asked = context.get("asked")
        if asked == "full_time" and _fresh(context, "asked_at", FRESH_MINUTES) and len(text.split()) <= 8 and (
                _FULL_TIME.search(fold(text.casefold())) or (len(text.split()) <= 3 and parse_yes_no(text) is True)):
            # "да полный день, 5 дней" after "if you work full time, that is below the minimum wage": it is.
            reply = Reply(language=lang, texts=[t("wage_below_confirmed", lang)], keys=["wage_below_confirmed"],
                          about_topic="faq_minimum_wage")
            reply.add_buttons([human_button(lang)])
            return reply
        if not asked or len(text.split()) > 3:
            return None
        if not _fresh(context, "asked_at", FRESH_MINUTES):
            return None
        said = parse_yes_no(text)
        if said is None and _NOTHING.search(text.casefold()):
            said = False
        if asked == "anything_else" and said is False:
            return simple("goodbye", lang)
        if asked == "anything_else" and said is True:
            return simple("help", lang, [human_button(lang)])
        if asked == "person" and said is True:  # "yes" to "would you like to talk to a person?"
            return "/request_human"
        if asked == "suggest" and said is True:
            topics = [str(b.get("payload") or "") for b in resident.offered_buttons or []]
            topics = [p for p in topics if p.startswith(("/faq_", "/ask_"))]
            return topics[0] if topics else None
        return None

    def _stay_on_topic(self, resident: Resident, reply: Reply, lang: str,
                       also: frozenset[str] = frozenset()) -> Reply:
        """A short message the classifier could not place, right after a topic's answer, stays on that topic.

        "예약해야돼요?", "а в месяц?" after an answer: the topic's answer again
        (where the fact usually is) and a person, rather than unrelated suggestions.
        ``also``: other answers that mean the same here (a question taken for "goodbye").
        """
        if not reply.keys or reply.keys[0] not in NOT_UNDERSTOOD | also:
            return reply
        context = resident.context or {}
        topic = context.get("topic")
        if not _fresh(context, "at", FRESH_MINUTES) or not isinstance(topic, str):
            return reply
        if not topic.startswith(("faq_", "ask_")) or not has(topic, lang):
            return reply
        again = Reply(language=lang, texts=[t("followup_again", lang), t(topic, lang)],
                      keys=["followup_again", topic], about_topic=topic, about_service=context.get("service"))
        again.add_buttons([human_button(lang), Button(t("button_help", lang), "/help")])
        return again

    def _program_to_check(self, resident: Resident, fact: Optional[str]) -> Optional[str]:
        """The programme to check when "can I get it?" follows its answer (within the context's minutes)."""
        if fact != "check":
            return None
        context = resident.context or {}
        if not _fresh(context, "at", FRESH_MINUTES):
            return None
        return CHECKABLE_TOPICS.get(str(context.get("topic")))

    def _stated(self, resident: Resident, new: dict[str, Any]) -> dict[str, Any]:
        """Facts for an eligibility check said in this message (``new``) or earlier in the conversation."""
        context = resident.context or {}
        kept = context.get("stated") if _fresh(context, "stated_at", FRESH_MINUTES) else None
        facts = dict(kept) if isinstance(kept, dict) else {}
        if new:
            facts.update(new)
            context = dict(context)
            context.update(stated=facts, stated_at=utcnow().isoformat())
            resident.context = context  # kept by _finish with the rest of the context
        return facts

    def _in_check(self, resident: Resident) -> bool:
        """Whether the eligibility form asked a question a few minutes ago that is not answered yet."""
        context = resident.context or {}
        return str(context.get("asked") or "").startswith("form:") and _fresh(context, "asked_at", FRESH_MINUTES)

    def _program_for_facts(self, resident: Resident, text: str, said: dict[str, Any]) -> Optional[str]:
        """The programme to check when, right after its answer, the resident says what a check asks.

        "1988", "мне 62", "yes we are 차상위 family" after the Culture Nuri answer: that is the start
        of a check, with those facts (sent to the form, which does not ask them again).
        """
        context = resident.context or {}
        if not _fresh(context, "at", FRESH_MINUTES):
            return None
        program = CHECKABLE_TOPICS.get(str(context.get("topic")))
        if program is None or len(text.split()) > 12:
            return None
        if said or _BARE_YEAR.fullmatch(text.strip()) or _bare_age(text, program) is not None:
            return program
        return None

    async def _date_the_programmes(self, reply: Reply, lang: str) -> None:
        """After a programme's answer, say whether applications are open today.

        The catalog's answer gives this year's period; once it has passed, the
        resident is told it closed and when the next round usually opens, so a
        past date is never read as one still to come.
        """
        for index, key in enumerate(list(reply.keys)):
            program = PROGRAM_TOPICS.get(key)
            note = await self._closed_note(program, lang) if program is not None else None
            if note is not None:
                reply.texts[index] = f"{reply.texts[index]}\n\n{note}"

    async def _closed_now(self, reply: Reply, text: str, lang: str) -> None:
        """"수급자 맞아요 올해 신청돼요?" while the check asks its questions: whether one can apply this year
        comes before the next question, not only once the check has its answers."""
        program = PROGRAM_TOPICS.get(str(reply.about_topic))
        if program is None or not asks_to_apply_now(text) or not any(key in FORM_QUESTIONS for key in reply.keys) \
                or "elig_reason_period_closed" in reply.keys:
            return
        note = await self._closed_note(program, lang)
        if note is not None and note not in "\n".join(reply.texts):
            reply.prepend([note], ["elig_reason_period_closed"])

    async def _closed_note(self, program: str, lang: str) -> Optional[str]:
        """That this year's applications for ``program`` closed, and when the next round usually opens;
        ``None`` while they are open or not yet open."""
        async with self.db.session() as session:
            records = await eligibility_records(session)
        today = clock.today()
        try:
            record = rules_for(program, today, records)
        except RulesError:
            return None
        period = applications(record, today)
        if period["state"] != "closed":
            return None
        return " ".join([
            t("elig_reason_period_closed", lang, year=record["year"], until_date=period["until"]),
            t(f"elig_next_round_{program.replace('-', '_')}", lang, phone=record.get("phone") or "1345",
              website=record.get("website") or ""),
        ])

    async def _topic_sent_to(self, topic: str, lang: str, fact: str, days: set[int]) -> Optional[str]:
        """The one other topic whose place ``topic``'s answer sends the resident to (health insurance's answer
        ends with the free clinic for the uninsured) and whose ``fact`` names one of ``days`` (the day the
        resident asks about: "오늘 화요일인데 몇시부터" and the Goryeoin clinic's Tuesdays); ``None`` when none or
        several, or when ``topic`` has a place of its own."""
        if not has(topic, lang) or self.places.get(topic):
            return None
        named = set(places_named(t(topic, lang), await self._aliases(Service)))
        others = [other for other, place in self.places.items()
                  if other != topic and place in named and
                  days & days_named(str(self.topic_facts.get(other, {}).get(fact, {}).get(lang) or ""))]
        return others[0] if len(others) == 1 else None

    async def _followup(self, resident: Resident, fact: str, lang: str,
                        named: Optional[Service] = None, text: str = "") -> Optional[Reply]:
        """Answer "where is it?" / "how much?" / "what if I'm late?" from the last answer's topic or place.

        A place the message names (``named``) answers for itself. Otherwise, within the
        context's minutes: the topic's own facts first (``data/topic_facts.yml``: the rubbish
        topic's "what time?" is when to put it out, not its call centre's hours), then the
        topic's place. ``None`` when there is no fresh context: Rasa answers then. A fact
        nobody recorded is said to be unknown, with a number that knows it.
        """
        context = resident.context or {}
        topic = context.get("topic") if named is None else None
        if named is None and not _fresh(context, "at", FRESH_MINUTES):
            return None
        if named is None and not topic and isinstance(context.get("within"), str) and fact not in PLACE_FACTS:
            # The topic's own place was asked about in between ("120 noi tieng viet dc ko" after the rubbish rules):
            # what the place cannot say ("tu lanh cu thi sao": an old fridge) is the topic's.
            topic = context["within"]
        event = context.get("event") if named is None else None
        listed = context.get("events") if named is None else None
        if text and isinstance(listed, list) and len(listed) > 1:
            # "ngay 20/5 to chuc o dau", "the ceremony, what time?" after a list: the event it names or dates.
            event = _event_asked_about(text, [e for e in listed if isinstance(e, dict)], default=event)
        if isinstance(event, dict) and fact == "next_year":
            # "When is the next one?" after an event: its series' next occurrence, or that none is known yet.
            return await self._next_of_series(event, lang)
        if isinstance(event, dict) and fact == "phone" and not event.get("phone"):
            # "Their phone?" after an event nobody gave a number for: who can tell.
            name = pick(event.get("name"), lang) or str(event.get("slug"))
            text = t("followup_unknown", lang, name=name, what=t("label_phone", lang).lower(), phone="1345")
            return Reply(language=lang, texts=[text], keys=["followup"], about_topic="events", about_event=event)
        if isinstance(event, dict) and fact in ("address", "hours", "when", "phone", "website", "fee", "services"):
            # "Where is it?", "what time?" after a list of events: the first (nearest) one, in full.
            return Reply(language=lang, texts=[render_event(event, lang)], keys=["followup"], about_topic="events",
                         about_event=event)
        if fact == "next_year" and str(topic) not in PROGRAM_TOPICS and "when" in self.topic_facts.get(str(topic), {}):
            fact = "when"  # "and next year?" after the minimum wage: when its rule changes, and who knows the new one
        if fact == "next_year" and isinstance(topic, str) and topic.startswith(("faq_", "ask_")) and has(topic, lang):
            # "And next year?": the topic's own answer, with its programme's next round when it has one.
            reply = Reply(language=lang, texts=[t(topic, lang)], keys=[topic], about_topic=topic,
                          about_service=context.get("service"))
            await self._date_the_programmes(reply, lang)
            return reply
        if fact == "count" and isinstance(topic, str) and topic.startswith("faq_") and has(topic, lang):
            # "How many times can I change?": the topic's own count if recorded, else its answer, which says it.
            counted = self.topic_facts.get(topic, {}).get("count", {}).get(lang)
            again = Reply(language=lang, texts=[str(counted) if counted else t(topic, lang)],
                          keys=["followup" if counted else topic], about_topic=topic,
                          about_service=context.get("service"))
            again.add_buttons([human_button(lang), Button(t("button_help", lang), "/help")])
            return again
        if fact not in PLACE_FACTS | TOPIC_ONLY_FACTS | {"documents", "penalty", "booking", "has", "deadline"}:
            return None  # "can I get it?" after a topic without a check, "next year?" after a place: Rasa answers
        slug = named.slug if named is not None else context.get("service")
        service = named
        if service is None and slug:
            async with self.db.session() as session:
                service = await session.scalar(select(Service).where(Service.slug == slug, Service.retired.is_(False)))
        if fact == "has":
            # "Do they have an English newspaper?" after GIC: what its record says it does, and who knows more.
            return self._what_the_place_does(service, lang, topic) if service is not None else None
        known = self.topic_facts.get(str(topic), {}) if topic else {}
        days = days_named(text) if named is None and service is None and fact == "hours" else set()
        if days and topic and "hours" not in known:
            tail = await self._topic_sent_to(str(topic), lang, fact, days)
            if tail is not None:
                # "오늘 화요일인데 몇시부터" after health insurance, whose answer ends with the free clinic for the
                # uninsured: the clinic's hours (the topic's own "when" is when one must join), and what comes
                # next ("어디에요") is about the clinic.
                topic, known, slug = tail, self.topic_facts[tail], self.places.get(tail)
                async with self.db.session() as session:
                    service = await session.scalar(select(Service).where(Service.slug == slug,
                                                                         Service.retired.is_(False)))
        urgency = _recent_urgency(resident) if named is None else None
        # The situation described minutes ago comes first: after "my visa expired", "what papers?" means
        # for leaving Korea, whichever answer was kept under the urgent line.
        situation = self.topic_facts.get(first_line_key(urgency), {}) if urgency is not None else {}
        names = FACT_FALLBACK.get(fact, (fact,))
        if fact == "booking":  # "how do I book?": the fact that says how one books, whichever it is
            names = tuple(sorted(names, key=lambda name: not _BOOKING.search(str((known.get(name) or {}).get(lang)))))
        sources = [(first_line_key(urgency), situation)] if urgency is not None else []
        found = next(((owner, name, facts[name]) for owner, facts in [*sources, (str(topic), known)]
                      for name in names if name in facts), None)
        record = found[2] if found else None
        if record is not None and record.get(lang):
            lines = [str(record[lang])]
            if service is not None and service.phone and service.phone not in lines[0]:
                lines.append(f"{pick(service.name, lang) or service.slug}: {service.phone}")
            program = PROGRAM_TOPICS.get(str(topic))
            if fact in ("address", "documents") and program is not None:
                # "So how do I apply?" after this year's round closed: when the next one opens, too.
                note = await self._closed_note(program, lang)
                if note is not None:
                    lines.append(note)
            reply = Reply(language=lang, texts=["\n".join(lines)], keys=["followup"], about_topic=topic,
                          about_service=slug, redo=[{"fact": list(found[:2])}] if found and len(lines) == 1 else None)
            reply.add_buttons([Button(t("button_help", lang), "/help"), human_button(lang)])
            return reply
        if record is None and fact in TOPIC_ONLY_FACTS:
            return None  # a topic with no card to check or spend, or no level asked: Rasa answers
        if record is None and fact == "deadline" and topic:
            # "How long do they have to pay?": by when is the topic's question (not its place's); its place's number
            # (the labour office for unpaid severance) knows.
            phone = (service.phone or service.confirm_phone) if service is not None else None
            what = t("label_deadline", lang).lower()
            text = t("followup_unknown_topic_own", lang, what=what, phone=phone) if phone and phone != "1345" else \
                t("followup_unknown_topic", lang, what=what, phone="1345")
            return Reply(language=lang, texts=[text], keys=["followup"], about_topic=topic, about_service=slug)
        if record is None and fact == "website" and service is None and topic and has(str(topic), lang):
            # "What site was it?" after a topic without a place: the sites its answer and facts name.
            said = " ".join([t(str(topic), lang), *(str(f.get(lang) or "") for f in known.values())])
            sites = list(dict.fromkeys(m.group(0).rstrip(".,)") for m in _WEBSITE.finditer(said)))
            if sites:
                reply = Reply(language=lang, texts=[f"{t('label_website', lang)}: {', '.join(sites)}"],
                              keys=["followup"], about_topic=topic)
                reply.add_buttons([Button(t("button_help", lang), "/help"), human_button(lang)])
                return reply
        if record is None and fact == "phone" and (service is None or topic in self.topic_facts):
            # "Phone?" after a topic: its facts that give a number (where to go, who speaks), before its place.
            giving = next((name for name in ("address", "languages", "hours")
                           if name in known and _PHONE_NUMBER.search(str(known[name].get(lang) or ""))), None)
            record = known[giving] if giving is not None else None
            if record is not None and record.get(lang):
                reply = Reply(language=lang, texts=[str(record[lang])], keys=["followup"], about_topic=topic,
                              redo=[{"fact": [topic, giving]}])
                reply.add_buttons([Button(t("button_help", lang), "/help"), human_button(lang)])
                return reply
        if fact == "documents" and record is None:
            # What to bring, when nobody listed it: what every office asks for, and who has the list.
            phone = (service.phone or service.confirm_phone) if service is not None else None
            # 1345 answers documents questions for every office, in the resident's language.
            text = t("followup_documents_general", lang, phone=phone) if phone and phone != "1345" else \
                t("followup_documents_general_1345", lang)
            return Reply(language=lang, texts=[text], keys=["followup"], about_topic=topic, about_service=slug)
        if service is None:
            if topic and fact in ("fee", "documents", "penalty", "when", "deadline", "languages", "address", "hours",
                                  "phone"):
                # The topic's answer holds what we know; nobody recorded this fact for it (nor a place for it:
                # "어디에요?" after health insurance is no new question for the classifier to guess at).
                # The topic's own number knows it best ("dong tien o dau" after health insurance: 1577-1000).
                own = _PHONE_NUMBER.search(t(str(topic), lang)) if fact in ("address", "hours", "phone") and \
                    has(str(topic), lang) else None
                what = t(f"label_{fact}", lang).lower()
                text = t("followup_unknown_topic_own", lang, what=what, phone=own.group(0)) \
                    if own and own.group(0) != "1345" else t("followup_unknown_topic", lang, what=what, phone="1345")
                return Reply(language=lang, texts=[text], keys=["followup"], about_topic=topic)
            return None
        if fact == "languages" and named is None and _languages_unrecorded(service):
            if "health" in (service.categories or []):
                return None  # which languages a hospital speaks, when nobody recorded it, is the interpreters' topic
            # Elsewhere ("uzbek?" after the city call centre): whom to ask, and 1345 for interpreting.
            unknown = self._place_fact(service, fact, lang, topic)
            unknown.texts.append(t("label_other_languages", lang))
            unknown.keys.append("label_other_languages")
            return unknown
        within = context.get("within") if named is None else None
        if isinstance(within, str) and not _place_value(service, fact, lang):
            # What the place's record lacks, the topic it was named for may say: the weekend Korean class
            # after "GIC 어딨어요?" (the place's own number comes with it).
            given = next((name for name in names if name in self.topic_facts.get(within, {})), None)
            record = self.topic_facts[within][given] if given is not None else None
            if record is not None and record.get(lang):
                lines = [str(record[lang])]
                if service.phone and service.phone not in lines[0]:
                    lines.append(f"{pick(service.name, lang) or service.slug}: {service.phone}")
                # ("write it in Vietnamese for my mother": the fact again, in that language)
                reply = Reply(language=lang, texts=["\n".join(lines)], keys=["followup"], about_service=service.slug,
                              redo=[{"fact": [within, given]}])
                reply.add_buttons([Button(t("button_help", lang), "/help"), human_button(lang)])
                return reply
        return self._place_fact(service, fact, lang, topic)

    def _what_the_place_does(self, service: Service, lang: str, topic: Any) -> Optional[Reply]:
        """A place's description (what it does, offers, publishes), with its number; ``None`` without one."""
        description = pick(service.description, lang)
        if not description:
            return None
        lines = [pick(service.name, lang) or service.slug, description]
        if service.phone or service.website:
            lines.append(t("followup_ask_them", lang, phone=service.phone or service.website))
        reply = Reply(language=lang, texts=["\n".join(lines)], keys=["followup"],
                      about_topic=topic if isinstance(topic, str) else None, about_service=service.slug)
        reply.add_buttons([Button(t("button_help", lang), "/help"), human_button(lang)])
        return reply

    def _place_fact(self, service: Service, fact: str, lang: str, topic: Optional[str]) -> Reply:
        """One fact of a place's record ("phone?", "open on Saturday?"), or whom to ask when it is not recorded."""
        name = pick(service.name, lang) or service.slug
        phone = service.phone or service.confirm_phone
        served = list(service.languages_served or [])
        # The resident's own language first: "do they speak Vietnamese?" is what is asked.
        # (then Russian and Vietnamese, the residents' most asked-for languages; the list is cut at six)
        languages = language_names(sorted(served, key=lambda code: (code != lang, code not in ("ru", "vi"))), lang)
        recorded = _place_value(service, fact, lang)
        value = languages if fact == "languages" and recorded else recorded
        label = t(f"label_{fact}", lang)
        if value:
            lines = [f"{name}", f"{label}: {value}"]
            if fact != "phone" and service.phone:
                lines.append(f"{t('label_phone', lang)}: {service.phone}")
            hours = pick(service.hours, lang) if fact == "languages" else None
            if hours and any(str(name).casefold() in hours.casefold()
                             for name in (language_names([code], lang) for code in ("ko", "en", "zh")) if name):
                # "1345 베트남말도 되요? 와이프가 직접 전화하게": its languages depend on the hour (after 18:00 only
                # Korean, English and Chinese), which the one who will call needs to know.
                lines.append(f"{t('label_hours', lang)}: {hours}")
            if fact == "languages" and service.phone != "1345":
                lines.append(t("label_other_languages", lang))  # interpreting for the languages not listed
            if service.confidence == "L":
                lines.append(t("label_unconfirmed", lang, phone=service.confirm_phone or "1345"))
            text = "\n".join(lines)
        else:
            text = t("followup_unknown", lang, name=name, what=label.lower(), phone=phone or "1345")
        reply = Reply(language=lang, texts=[text], keys=["followup"], about_topic=topic, about_service=service.slug,
                      redo=[{"place": [service.slug, fact, topic]}])
        card = Card(title=name, description=pick(service.address, lang) or "", phone=service.phone,
                    url=service.website)
        if fact in ("phone", "address") and (service.phone or service.website):
            reply.cards_for[0] = [card]
            reply.cards.append(card)
        reply.add_buttons([Button(t("button_help", lang), "/help"), human_button(lang)])
        return reply

    async def _asks_its_own_topic(self, resident: Resident, text: str) -> bool:
        """Whether the classifier is sure the message asks a topic of its own (not the last one, and not
        which languages are spoken: that is what a follow-up asks). A message that points back ("o do co phien
        dich tieng viet ko", "там по-русски помогут?") is about the last answer whatever its words."""
        if _POINTS_BACK.search(fold(text.casefold())):
            return False
        intent, confidence = await self.rasa.parse(resident.conversation_id, text)
        return bool(intent and intent.startswith(("faq_", "ask_")) and confidence >= OWN_TOPIC_CONFIDENCE
                    and intent not in (LANGUAGES_TOPIC, (resident.context or {}).get("topic")))

    async def _more_services(self, resident: Resident, text: str, lang: str) -> Optional[Reply]:
        """The next services of the last list, when the resident asks for more ("ещё", "thêm", "더 있어요?")."""
        context = resident.context or {}
        rest = context.get("more")
        if not isinstance(rest, list) or not _fresh(context, "more_at", FRESH_MINUTES) or not asks_for_more(text):
            return None
        if not rest:
            return Reply(language=lang, texts=[t("finder_no_more", lang)], keys=["finder_no_more"])
        page, left = rest[:MORE_PAGE], rest[MORE_PAGE:]
        async with self.db.session() as session:
            rows = {s.slug: s for s in (await session.scalars(select(Service).where(
                Service.slug.in_(page), Service.retired.is_(False)))).all()}
        cards = [service_payload(rows[slug]) for slug in page if slug in rows]
        return _service_list(cards, left, lang)

    async def _context_words(self, resident: Resident) -> str:
        """The names of the place the last answer was about, folded ("where in the hospital do we go?" after
        Chosun University Hospital is about it); empty once the context is stale or had no place."""
        context = resident.context or {}
        service = context.get("service")
        if not _fresh(context, "at", FRESH_MINUTES) or not isinstance(service, str):
            return ""
        return fold_words((await self._aliases(Service)).get(service, []))

    async def _topic_places_in_district(self, resident: Resident, text: str, lang: str) -> Optional[Reply]:
        """A district named alone right after a topic with a place in every district: that topic's places
        there (the district's own first), as a list whose first place the next "phone?" is about. A kind
        of place with a district in a short message ("동구 살아요 가족센터 전화번호"): those places, whatever
        came before."""
        context = resident.context or {}
        filters = service_filters(text)
        categories: tuple[str, ...] = ()
        if set(filters) == {"district", "category"} and len(text.split()) <= 6:
            categories = (filters["category"],)
        elif set(filters) == {"district"} and _fresh(context, "at", FRESH_MINUTES) and _district_first(text):
            categories = TOPIC_CATEGORIES.get(str(context.get("topic")), ())
            listed = context.get("listed")
            if not categories and context.get("topic") == "service_list" and isinstance(listed, list) and \
                    len(text.split()) > 3:
                # "서구는요? 며느리 친구가 서구 살아서" after Dong-gu's family centres: the kind of place they all are,
                # there. (A district alone after a list is the classifier's search, which keeps the kind.)
                async with self.db.session() as session:
                    kinds = [set(s.categories or []) for s in (await session.scalars(
                        select(Service).where(Service.slug.in_([str(slug) for slug in listed])))).all()]
                categories = tuple(sorted(set.intersection(*kinds))) if kinds else ()
        if not categories:
            return None
        found: list[Service] = []
        async with self.db.session() as session:
            for category in categories:
                found += [s for s in await find_services(session, ServiceQuery(category=category,
                                                                               district=filters["district"]))
                          if s not in found]
        # The district's own places first (a citywide one, such as KIIP, after them).
        found.sort(key=lambda service: service.district != filters["district"])
        if not found:
            return None
        cards = [service_payload(service) for service in found[:MORE_PAGE]]
        return _service_list(cards, [service.slug for service in found[MORE_PAGE:]], lang)

    def _leaving_after_overstay(self, resident: Resident, text: str, urgency: Optional[Urgency]) -> Optional[Reply]:
        """ "I just want to go home, what do I bring?" from a resident whose visa has run out (said now or minutes
        ago): how a departure is reported (passport, form, ticket, 3 to 15 days ahead), under the line that says
        to call 1345, rather than the classifier's re-entry or family-visa answer."""
        lang = resident.language or self.settings.default_language
        if (urgency or _recent_urgency(resident)) is not Urgency.OVERSTAY or \
                not _GO_HOME.search(fold(text.casefold()) + " " + text):
            return None
        if detect_followup(text) not in (None, "documents", "address"):
            return None  # "the programme to go home without a penalty?", "how much is the fine?": answered as asked
        record = self.topic_facts.get("urgent_overstay", {}).get("documents", {})
        if not record.get(lang):
            return None
        reply = Reply(language=lang, texts=[str(record[lang])], keys=["followup"], about_topic="urgent_overstay",
                      redo=[{"fact": ["urgent_overstay", "documents"]}])
        reply.add_buttons([human_button(lang)])
        return urgent_first(reply, Urgency.OVERSTAY, lang, own_question=True)

    async def _district_after_topic(self, resident: Resident, text: str, lang: str,
                                    rasa_text: str = "") -> Optional[Reply]:
        """A district named right after a topic with no place of its own there ("Nam-gu" after the rubbish
        rules, "광산구 월곡동" after integrated care, "my friend in nam-gu says after 8pm is that right"): the
        topic's fact for that district ("put it out from 20:00") or, for a topic handled at the community
        centre, that the neighbourhood's 행정복지센터 does it and 120 knows where it is. A longer message
        (up to 12 words) only when it asks whether the same holds there or points back ("is that right", "thi
        sao", "거기도 똑같아?") and the classifier is not sure it asks a topic of its own. ``None`` otherwise
        (the classifier reads it)."""
        context = resident.context or {}
        filters = service_filters(text)
        topic = context.get("topic")
        if set(filters) != {"district"} or len(text.split()) > 12 or not _fresh(context, "at", FRESH_MINUTES) or \
                not isinstance(topic, str) or not topic.startswith("faq_") or not has(topic, lang):
            return None
        folded = fold(text.casefold())
        if len(text.split()) > 3 and (not (_ASKS_SAME.search(folded) or _POINTS_BACK.search(folded))
                                      or await self._asks_its_own_topic(resident, rasa_text or text)):
            return None  # a longer sentence with a district asks the same for it, or it is a question of its own
        district = filters["district"]
        known = self.topic_facts.get(topic, {})
        at_centre = bool(_COMMUNITY_CENTRE.search(t(topic, "ko")))
        name = next((n for n, r in known.items() if DISTRICT_KO[district] in str(r.get("ko") or "")), None)
        record = known[name] if name is not None else None
        redo: Optional[list[dict[str, Any]]] = None
        if record is not None and record.get(lang):
            texts, keys, redo = [str(record[lang])], ["followup"], [{"fact": [topic, name]}]
        elif at_centre:
            texts = [t("followup_district_centre", lang, district=t(f"district_{district}", lang))]
            keys = ["followup_district_centre"]
        else:
            return None
        reply = Reply(language=lang, texts=texts, keys=keys, about_topic=topic, about_service=context.get("service"),
                      redo=redo)
        reply.add_buttons([Button(t("button_help", lang), "/help"), human_button(lang)])
        return reply

    async def _next_of_series(self, shown: dict[str, Any], lang: str) -> Reply:
        """The next occurrence of a shown event's series (its records share their aliases), or that none is known."""
        async with self.db.session() as session:
            rows = list((await session.scalars(select(Event).where(Event.retired.is_(False)))).all())
        this = next((e for e in rows if e.slug == shown.get("slug")), None)
        series = [e for e in rows if this is not None and e.aliases and e.aliases == this.aliases]
        later = sorted((e for e in series if this is not None and e.start_date > this.start_date),
                       key=lambda e: e.start_date)
        if this is not None and this.start_date > clock.today():
            later = [this]  # the one shown has not begun: it is the next one
        if later:
            payload = event_payload(later[0])
            return Reply(language=lang, texts=[render_event(payload, lang)], keys=["event_named"],
                         about_topic="events", about_event=payload)
        text = "\n".join([t("event_next_unknown", lang), render_event(shown, lang)])
        return Reply(language=lang, texts=[text], keys=["event_next_unknown"], about_topic="events",
                     about_event=shown)

    def _forget_services(self) -> None:
        self._service_cache = None

    async def _services(self) -> tuple[dict[str, Service], dict[str, list[str]]]:
        """Every service in use and its aliases, by slug: read at most every half minute, and again once an
        admin's edit is live (the content version moved). Read only: the records are shared by the messages
        being answered, and the aliases stay the same dict until the next read (hamkke.followups prepares
        them once per dict)."""
        now = time.monotonic()
        if self._service_cache is None or now - self._service_cache[0] > ALIASES_TTL_S:
            async with self.db.session() as session:
                rows = (await session.scalars(select(Service).where(Service.retired.is_(False)))).all()
            self._service_cache = (now, {service.slug: service for service in rows},
                                   {service.slug: list(service.aliases or []) for service in rows})
        return self._service_cache[1], self._service_cache[2]

    async def _aliases(self, model: type[Service] | type[Event]) -> dict[str, list[str]]:
        """The aliases of every service (by slug) or event (by id), read at most every half minute."""
        if model is Service:
            return (await self._services())[1]
        now = time.monotonic()
        cached = self._alias_cache.get(model.__name__)
        if cached is None or now - cached[0] > ALIASES_TTL_S:
            key = Service.slug if model is Service else Event.id
            async with self.db.session() as session:
                rows = (await session.execute(select(key, model.aliases).where(model.retired.is_(False)))).all()
            cached = (now, {str(k): list(aliases or []) for k, aliases in rows})
            self._alias_cache[model.__name__] = cached
        return cached[1]

    async def _named_event(self, text: str) -> tuple[Optional[Event], Optional[Event]]:
        """The event a message names by one of its aliases, at its next occurrence (else its latest), and
        the latest of its records that is over (None when there is none)."""
        ids = [int(key) for key in match_names(text, await self._aliases(Event))]
        if not ids:
            return None, None
        async with self.db.session() as session:
            events = list((await session.scalars(select(Event).where(Event.id.in_(ids),
                                                                     Event.retired.is_(False)))).all())
        over = sorted((e for e in events if e.end_date < clock.today()), key=lambda e: e.end_date)
        return next_occurrence(events, clock.today()), (over[-1] if over else None)

    async def _companions(self, event: Event) -> list[Event]:
        """``event`` and the events within two days of it that share one of its aliases, in date order."""
        names = {fold(str(alias).casefold()) for alias in event.aliases or []}
        async with self.db.session() as session:
            near = (await session.scalars(select(Event).where(
                Event.retired.is_(False), Event.id != event.id,
                Event.start_date >= event.start_date - dt.timedelta(days=2),
                Event.start_date <= event.start_date + dt.timedelta(days=2)))).all()
        same = [e for e in near if names & {fold(str(alias).casefold()) for alias in e.aliases or []}]
        return sorted([event, *same], key=lambda e: (e.start_date, e.start_time or ""))

    async def _event_the_day_before(self, resident: Resident, text: str) -> Optional[dict[str, Any]]:
        """The event the day before the one just shown, when a short message asks for "the night before"."""
        context = resident.context or {}
        shown = context.get("event")
        if not isinstance(shown, dict) or not _fresh(context, "at", FRESH_MINUTES) or len(text.split()) > 10 or \
                not _EVE.search(fold(text.casefold())):
            return None
        try:
            day = dt.date.fromisoformat(str(shown.get("start_date"))) - dt.timedelta(days=1)
        except ValueError:
            return None
        async with self.db.session() as session:
            found = (await session.scalars(select(Event).where(Event.retired.is_(False), Event.start_date <= day,
                                                               Event.end_date >= day))).first()
        return event_payload(found) if found is not None else None

    def _listed_event_on_day(self, resident: Resident, text: str) -> Optional[dict[str, Any]]:
        """The event of the last list (minutes ago) on the day a message names ("may 20?", "5월 18일은요")."""
        context = resident.context or {}
        listed = context.get("events")
        day = day_of_month(text)
        if day is None or not isinstance(listed, list) or not _fresh(context, "at", FRESH_MINUTES):
            return None
        on_day = [e for e in listed if isinstance(e, dict) and _on_day(e, day)]
        return on_day[0] if len(on_day) == 1 else None

    def _events_period_followup(self, resident: Resident, text: str) -> bool:
        """Whether a short message names a period ("а в январе?", "그럼 2월에는요?") right after events were listed."""
        context = resident.context or {}
        if context.get("topic") not in ("events", "faq_events") or not _fresh(context, "at", FRESH_MINUTES):
            return False
        if time_frame(text, clock.today()) is None:
            return False
        # "what about may, heard may is big in gwangju": a longer one too, unless it names a topic of its own.
        return len(text.split()) <= 6 or (len(text.split()) <= 12 and not names_a_topic(text))

    async def _named_place(self, text: str, resident: Optional[Resident] = None) -> Optional[Service]:
        """The service a message names by one of its aliases.

        A common name ("international center") that the place just answered about also has in its own
        record (a hospital's "international centre: Building 1") means that place, not the one the name
        usually means (GIC), when ``resident``'s context is fresh.
        """
        aliases = await self._aliases(Service)
        slug = match_place(text, aliases)
        if slug is None:
            return None
        context = (resident.context or {}) if resident is not None else {}
        current = context.get("service") if _fresh(context, "at", FRESH_MINUTES) else None
        services, _ = await self._services()
        found = services.get(slug)
        if found is not None and isinstance(current, str) and current != slug:
            folded = fold(text.casefold())
            # (Common names only: several words, no digits. "1345" in the immigration office's text is a
            # number to call, not the office.)
            common = [fold(a.casefold()) for a in aliases.get(slug, [])
                      if len(a.split()) >= 2 and not any(ch.isdigit() for ch in a)]
            said = [name for name in common if name in folded]
            before = services.get(current)
            if before is not None and said:
                own = fold(" ".join([*(before.description or {}).values(), *(before.address or {}).values()])
                           .casefold())
                if all(name in own for name in said):
                    return before
        return found

    async def _place_of_the_day(self, resident: Resident, text: str) -> Optional[Service]:
        """The labour office's Wednesday desk, when a message about work names Wednesday ("а лично сходить, в
        среду где?", "thu 4 e ra dc, can mang gi", "수요일에 한다던데 거기 어디예요?"): the desk is a place of its
        own, in another building than the labour office."""
        context = resident.context or {}
        if not _WEDNESDAY.search(fold(text.casefold())) or not _fresh(context, "at", FRESH_MINUTES):
            return None
        async with self.db.session() as session:
            current = await session.scalar(select(Service).where(Service.slug == str(context.get("service"))))
            about_work = context.get("topic") in LABOUR_TOPICS or bool(_ABOUT_WORK.search(fold(text.casefold()))) or (
                current is not None and "labour" in (current.categories or []))
            if not about_work:
                return None
            desk: Optional[Service] = await session.scalar(select(Service).where(
                Service.slug == WEDNESDAY_DESK, Service.retired.is_(False)))
        return desk

    async def _listed_place(self, resident: Resident, text: str) -> Optional[Service]:
        """The place of the list just shown that a message names by a word of its own name ("phone for chosun?",
        "조선대 где?"); such a short name is no alias anywhere else ("조선대" is also the university)."""
        context = resident.context or {}
        listed = context.get("listed")
        if not isinstance(listed, list) or len(listed) < 2 or not _fresh(context, "listed_at", FRESH_MINUTES):
            return None
        async with self.db.session() as session:
            rows = {s.slug: s for s in (await session.scalars(select(Service).where(
                Service.slug.in_([str(slug) for slug in listed]), Service.retired.is_(False)))).all()}
        names = {slug: [*(service.aliases or []), *(str(name) for name in (service.name or {}).values())]
                 for slug, service in rows.items()}
        slug = listed_place_named(text, names)
        return rows.get(slug) if slug else None

    async def _the_place_just_named(self, resident: Resident, lang: str) -> Optional[Service]:
        """The one place with an address that the last answer named (beside emergency lines, which have
        none), if it named exactly one: what "there" means next."""
        aliases = await self._aliases(Service)
        async with self.db.session() as session:
            last = await _last_answers(session, resident.id, 1)
            slugs = places_named(last[0], aliases) if last else []
            if not slugs:
                return None
            found = [s for s in (await session.scalars(select(Service).where(
                Service.slug.in_(slugs), Service.retired.is_(False)))).all() if pick(s.address, lang)]
        return found[0] if len(found) == 1 else None

    async def _mentioned_place(self, resident: Resident, text: str) -> Optional[Service]:
        """A place one of the last answers named in passing (a hospital in the emergency numbers, a centre in a
        topic's answer), asked about by a word of its own name: "조선대 где?" two answers after "больница
        университета Чосон (조선대학교병원)". Only for a short question of a place's fact, within the minutes a
        topic stays fresh, and only when one place of those answers has that word."""
        context = resident.context or {}
        if len(text.split()) > MENTIONED_WORDS or not _fresh(context, "at", FRESH_MINUTES) or \
                detect_followup(text, place_named=True) not in PLACE_FACTS:
            return None
        aliases = await self._aliases(Service)
        async with self.db.session() as session:
            said = await _last_answers(session, resident.id, MENTIONED_ANSWERS, within_minutes=FRESH_MINUTES)
            if not said:
                return None
            slug = mentioned_place_named(text, said, aliases)
            if slug is None:
                return None
            found: Optional[Service] = await session.scalar(select(Service).where(Service.slug == slug,
                                                                                  Service.retired.is_(False)))
        if found is not None:
            log.info("resident %s asks about %s, named in a recent answer", resident.id, slug)
        return found

    async def _switch_language(self, resident: Resident, inbound: Message, lang: str, once: bool = False) -> Reply:
        """Answer in ``lang`` from now on. ``once``: asked to show one answer to someone ("엄마한테 보여주게
        러시아어로 해주세요"): the next message written clearly in another language is answered in that one."""
        if lang not in SUPPORTED_LANGUAGES:
            lang = self.settings.default_language
        resident.language = lang
        resident.language_source = "detected" if once else "chosen"
        inbound.language = lang
        reply = simple("language_changed", lang)
        reply.keys = ["language_changed"]
        context = resident.context or {}
        topic = context.get("topic")
        again = await self._say_again(context.get("redo"), lang) if _fresh(context, "redo_at", FRESH_MINUTES) \
            else None
        if again is not None:
            # "Write it in Korean for my wife": the last answer itself again (the hours just given, the check's
            # result), in that language.
            # (what to do now stays the first line)
            again.insert(1 if again.keys and again.keys[0].startswith("urgent_") else 0, reply.texts, reply.keys)
            again.about_topic, again.about_service = topic, context.get("service")
            reply = again
        elif (_fresh(context, "at", FRESH_MINUTES) and isinstance(topic, str) and topic.startswith(("faq_", "ask_"))
                and has(topic, lang)):
            # "Answer in Korean so my husband can read it": the last answer again, in that language.
            reply.texts.append(t(topic, lang))
            reply.keys.append(topic)
        elif _fresh(context, "at", FRESH_MINUTES) and isinstance(context.get("event"), dict):
            # ... or the event it was about ("베트남어로 알려줘" after the Tết gathering), in full.
            reply.texts.append(render_event(context["event"], lang))
            reply.keys.append("followup")
        elif _fresh(context, "at", FRESH_MINUTES) and context.get("service"):
            # ... or the place it was about: where it is and how to reach it, in that language.
            async with self.db.session() as session:
                service = await session.scalar(select(Service).where(Service.slug == str(context["service"]),
                                                                     Service.retired.is_(False)))
            if service is not None:
                place = self._place_fact(service, "address", lang, topic if isinstance(topic, str) else None)
                place.prepend(reply.texts, reply.keys)
                reply = place
        reply.add_buttons([Button(t("button_help", lang), "/help"), human_button(lang)])
        return reply

    async def _say_again(self, redo: Any, lang: str) -> Optional[Reply]:
        """An answer said again in ``lang`` from its recipe (``Reply.redo``); None if any piece cannot be."""
        if not isinstance(redo, list) or not redo:
            return None
        out = Reply(language=lang, redo=redo)
        for piece in redo:
            part = Reply(language=lang)
            if isinstance(piece.get("rasa"), dict):
                try:
                    text, _buttons, _ = render_message(piece["rasa"], lang)
                except MissingMessage:
                    return None
                part.texts, part.keys = [text], [str(piece["rasa"].get("key"))]
                cards = message_cards(piece["rasa"], lang)
                if cards:
                    part.cards_for = {0: list(cards)}
            elif isinstance(piece.get("fact"), list) and len(piece["fact"]) == 2:
                owner = str(piece["fact"][0])
                record = self.topic_facts.get(owner, {}).get(str(piece["fact"][1])) or {}
                if not record.get(lang):
                    return None
                part.texts, part.keys = [str(record[lang])], ["followup"]
                first_sentence = str(record[lang]).split(". ")[0]
                if len(redo) == 1 and owner.startswith("faq_") and has(owner, lang) and \
                        first_sentence not in t(owner, lang):
                    # Whoever reads it was not in the conversation: what the topic is, then the fact asked (unless
                    # the topic's answer already says it: the rubbish times for Nam-gu).
                    part.texts, part.keys = [t(owner, lang), str(record[lang])], [owner, "followup"]
            elif isinstance(piece.get("place"), list) and len(piece["place"]) == 3:
                slug, fact, topic = piece["place"]
                async with self.db.session() as session:
                    service = await session.scalar(select(Service).where(Service.slug == str(slug),
                                                                         Service.retired.is_(False)))
                if service is None:
                    return None
                part = self._place_fact(service, "address", lang, topic if isinstance(topic, str) else None)
                if fact != "address":
                    # Whoever reads it was not in the conversation: where the place is, then what was asked.
                    lines = part.texts[0].splitlines()
                    extra = [line for line in self._place_fact(service, str(fact), lang, None).texts[0].splitlines()
                             if line not in lines]
                    at = len(lines) - (service.confidence == "L")  # (before the "not confirmed" line)
                    part.texts[0] = "\n".join(lines[:at] + extra + lines[at:])
            elif isinstance(piece.get("t"), list) and len(piece["t"]) == 2 and has(str(piece["t"][0]), lang):
                part.texts, part.keys = [t(str(piece["t"][0]), lang, **dict(piece["t"][1] or {}))], [str(piece["t"][0])]
            else:
                return None
            out.insert(len(out.texts), part.texts, part.keys, part.cards_for)
        return out

    def _unsupported_language(self, lang: str) -> Reply:
        order = [lang] + [other for other in SUPPORTED_LANGUAGES if other != lang]
        reply = Reply(language=lang, texts=[t("unsupported_language", code) for code in order])
        reply.add_buttons(language_buttons())
        reply.add_buttons([human_button(lang)])
        return reply

    async def language_of(self, channel: str, user_key: str) -> str:
        """The language a resident is answered in (the default for a stranger)."""
        async with self.db.session() as session:
            language = await session.scalar(
                select(Resident.language).where(Resident.channel == channel, Resident.channel_user_key == user_key))
        return language if language in SUPPORTED_LANGUAGES else self.settings.default_language

    async def stored_answer(self, message_id: int) -> Optional[tuple[str, str]]:
        """The text and language of a stored answer (for a link to an answer too long for a chat)."""
        async with self.db.session() as session:
            row = (await session.execute(select(Message.text, Message.language).where(
                Message.id == message_id, Message.direction == "out"))).first()
        return (row.text, row.language or self.settings.default_language) if row else None

    async def mark_pending(self, reply: Reply) -> None:
        """An answer the channel could not deliver in time: it waits for the resident's next message."""
        if reply.stored_id is None:
            return
        async with self.db.session() as session:
            await session.execute(update(Message).where(Message.id == reply.stored_id)
                                  .values(status=MessageStatus.PENDING.value))
            await session.commit()

    async def mark_sent(self, message_ids: list[int]) -> None:
        """Pending answers the channel has now delivered."""
        if not message_ids:
            return
        async with self.db.session() as session:
            rows = (await session.execute(select(Message.conversation_id).where(
                Message.id.in_(message_ids), Message.conversation_id.is_not(None)))).scalars().all()
            await session.execute(update(Message).where(Message.id.in_(message_ids),
                                                        Message.status == MessageStatus.DELIVERING.value)
                                  .values(status=MessageStatus.SENT.value, answered_at=utcnow()))
            await session.commit()
        for conversation_id in set(rows):
            self.live.publish("conversation", id=conversation_id)

    async def keep_callback(self, channel: str, user_key: str, url: str, valid_s: float) -> None:
        """Remember a Kakao callbackUrl for a staff reply while it is valid."""
        async with self.db.session() as session:
            await session.execute(update(Resident).where(
                Resident.channel == channel, Resident.channel_user_key == user_key).values(
                callback_url=url, callback_until=utcnow() + dt.timedelta(seconds=valid_s)))
            await session.commit()

    async def resident_id(self, channel: str, user_key: str) -> Optional[int]:
        """The database id of a resident, if known."""
        async with self.db.session() as session:
            found = await session.scalar(select(Resident.id).where(
                Resident.channel == channel, Resident.channel_user_key == user_key))
        return int(found) if found is not None else None

    async def claim_callback(self, resident_id: int, only: Optional[str] = None) -> Optional[str]:
        """Take the resident's valid callbackUrl (``only`` that one), once: nobody else can use it after this."""
        async with self.db.session() as session:
            row = (await session.execute(select(Resident.callback_url, Resident.callback_until).where(
                Resident.id == resident_id))).first()
            if row is None or not row.callback_url or row.callback_until is None:
                return None
            if only is not None and row.callback_url != only:
                return None
            if as_utc(row.callback_until) <= utcnow():
                return None
            result = await session.execute(update(Resident).where(
                Resident.id == resident_id, Resident.callback_url == row.callback_url).values(
                callback_url=None, callback_until=None))
            await session.commit()
            return str(row.callback_url) if int(result.rowcount or 0) == 1 else None  # type: ignore[attr-defined]

    async def failed_while_away(self, within: dt.timedelta = dt.timedelta(minutes=30)) -> list[int]:
        """Messages that got "busy" because Rasa was away, recently, from residents who have not written
        since and whom staff do not hold: they are answered when Rasa is back (:meth:`answer_late`)."""
        since = utcnow() - within
        newer = aliased(Message)  # a message the resident wrote after the failed one
        async with self.db.session() as session:
            rows = (await session.scalars(
                select(Message.id).where(
                    Message.direction == "in", Message.status == MessageStatus.FAILED.value,
                    or_(Message.error.like("rasa:%"), Message.error.like("gateway:%")), Message.created_at > since,
                    Message.conversation_id.is_(None),
                    ~select(newer.id).where(newer.resident_id == Message.resident_id, newer.direction == "in",
                                            newer.id > Message.id).exists())
                .order_by(Message.id).limit(20))).all()
        return list(rows)

    async def answer_late(self, message_id: int) -> Optional[Reply]:
        """Answer a message that got "busy" while Rasa was away, now that it is back; the answer is
        stored ``pending`` for the channel's outbound path (Telegram at once, Kakao by callback or with
        the next message). ``None`` when another gateway took it or it failed again."""
        newer = aliased(Message)  # the resident wrote again since the list was made: not answered late
        async with self.db.session() as session:
            # Hold the resident's row first, as storing their next message does (:meth:`_resident`): either
            # that message is committed before the claim looks for it, or it is stored after the claim and
            # waits for this answer (``behind``). Without it each could miss the other, and the late answer
            # came after the answer to the newer message.
            resident_id = await session.scalar(select(Message.resident_id).where(Message.id == message_id))
            if resident_id is None:
                return None
            await session.execute(select(Resident.id).where(Resident.id == resident_id).with_for_update())
            claimed = await session.execute(update(Message).where(
                Message.id == message_id, Message.status == MessageStatus.FAILED.value,
                ~select(newer.id).where(newer.resident_id == Message.resident_id, newer.direction == "in",
                                        newer.id > message_id).exists())
                .values(status=MessageStatus.RECEIVED.value))
            await session.commit()
            if claimed.rowcount != 1:  # type: ignore[attr-defined]
                return None
            row = (await session.execute(select(Message, Resident).join(Resident, Resident.id == Message.resident_id)
                                         .where(Message.id == message_id))).first()
        assert row is not None
        inbound, resident = row
        msg = Incoming(channel=resident.channel, user_key=resident.channel_user_key, text=inbound.text)
        async with self.coordinator.lock(f"resident:{resident.id}"):
            reply, status, error = await self._answer(resident, inbound, msg)
        if status == MessageStatus.FAILED.value:  # still away: it stays with staff, as before
            async with self.db.session() as session:
                await session.execute(update(Message).where(Message.id == message_id)
                                      .values(status=MessageStatus.FAILED.value, error=error))
                await session.commit()
            return None
        reply.texts.insert(0, t("answer_after_outage", reply.language, question=inbound.text[:200]))
        reply.keys.insert(0, "answer_after_outage")
        await self._finish(resident, inbound, reply, status, error, channel=resident.channel)
        async with self.db.session() as session:
            await session.execute(update(Message).where(Message.id == reply.stored_id)
                                  .values(status=MessageStatus.PENDING.value))
            await session.commit()
        return reply

    async def orphaned(self, message_ids: list[int]) -> int:
        """Messages a replica held when it died (its heartbeat stopped): marked failed, so that the
        resident's next message need not wait for them, and answered late by the sweep when the
        resident has not written since (else they stay in the staff queue). Returns how many."""
        if not message_ids:
            return 0
        async with self.db.session() as session:
            result = await session.execute(
                update(Message).where(Message.id.in_(message_ids), Message.direction == "in",
                                      Message.status == MessageStatus.RECEIVED.value)
                .values(status=MessageStatus.FAILED.value, error="gateway: its replica stopped before answering"))
            await session.commit()
            return int(result.rowcount or 0)  # type: ignore[attr-defined]

    async def recover_unanswered(self, older_than: Optional[dt.timedelta] = None) -> int:
        """Messages left ``received`` by a crash (``HAMKKE_STALE_SECONDS``, two minutes by default) go to
        the staff queue. Returns how many were marked ``unanswered``.
        """
        cutoff = utcnow() - (older_than or dt.timedelta(seconds=max(self.settings.stale_s, IN_TURN_WAIT_S)))
        async with self.db.session() as session:
            result = await session.execute(
                update(Message)
                .where(Message.direction == "in", Message.status == MessageStatus.RECEIVED.value,
                       Message.created_at < cutoff)
                .values(status="unanswered", error="gateway stopped before answering")
            )
            # Answers a response was carrying when the gateway stopped: not known to be delivered.
            await session.execute(
                update(Message)
                .where(Message.direction == "out", Message.status == MessageStatus.DELIVERING.value,
                       Message.created_at < cutoff)
                .values(status=MessageStatus.PENDING.value)
            )
            await session.commit()
            return int(result.rowcount or 0)  # type: ignore[attr-defined]


async def convs_close(db: Database, conversation_id: int) -> bool:
    """Cancel an open conversation at the resident's word."""
    async with db.session() as session:
        return await convs.close(session, conversation_id, convs.CANCELLED)


def urgent_first(reply: Reply, urgency: Urgency, lang: str, own_question: bool = False) -> Reply:
    """The urgent first line, then only what of Rasa's answer belongs with it, then a person.

    An unrelated topic (the classifier's guess at "my mother has chest pain")
    is dropped rather than shown under the urgent line. ``own_question``: the
    message came minutes after the emergency and asks something of its own
    ("we need help with bathing and meals, any city program?"): its answer is
    kept whole under the line.
    """
    # No "goodbye" under the suicide line, whatever the classifier read ("устал, все надоело"): a farewell
    # there is a warning sign, not the end of a conversation.
    related = (*RELATED_KEYS[urgency], *(key for key in ALWAYS_KEPT
                                         if not (urgency is Urgency.SUICIDE and key == "goodbye")))
    kept = [i for i, key in enumerate(reply.keys)
            if key.startswith(related) or (own_question and key not in NOT_UNDERSTOOD)]
    out = Reply(language=lang, texts=[t(first_line_key(urgency), lang)], keys=[first_line_key(urgency)],
                handoff=reply.handoff, handed_off=reply.handed_off, ask_location=False)
    if kept:  # a follow-up ("where is it?") refers to the answer kept under the urgent line
        out.about_topic, out.about_service = reply.about_topic, reply.about_service
    else:  # ... else to the line the first line gives ("do they speak Vietnamese?" after 1577-1366)
        out.about_topic, out.about_service = first_line_key(urgency), URGENT_PLACES.get(urgency)
    for index in kept:
        out.texts.append(reply.texts[index])
        out.keys.append(reply.keys[index])
        if index in reply.cards_for:
            out.cards_for[len(out.texts) - 1] = reply.cards_for[index]
            out.cards.extend(reply.cards_for[index])
    if kept:
        out.add_buttons(reply.buttons)
    out.add_buttons([human_button(lang)])
    # Said again in another language: the line, then what was kept under it (when it can be said again).
    out.redo = [{"t": [first_line_key(urgency), {}]}, *((reply.redo or []) if kept else [])]
    return out


# Answers kept under an urgent line whatever the situation (they answer the resident's words).
ALWAYS_KEPT = ("thank", "goodbye", "followup", "handoff")
URGENT_RASA_WAIT_S = 1.5
# How sure the classifier must be for a topic's answer to be given while a request for a person waits.
WAITING_CONFIDENCE = 0.8
# A sentence asking whether the same holds elsewhere ("is that right", "а там так же?", "thi sao", "똑같아?").
_ASKS_SAME = re.compile(r"\b(what|how) about\b|\bis (that|it) (right|true|the same)\b|\bsame\b|\b(too|also)\??$|"
                        r"\bтак же\b|\bтоже\b|\bто же сам|\bа (у|в) \w+\??$|\bа если\b|"
                        r"\bthi sao\b|\bthe nao\b|\bcung (vay|the|giong)\b|\bgiong\b|\bco khac\b|"
                        r"똑같|마찬가지|같아|같아요|는요\??$|도요\??$|어때")
# Words that point back to the place or topic just answered ("there", "там", "o do", "거기").
_POINTS_BACK = re.compile(r"\b(there|they|them|their|it)\b|\b(там|туда|тут|они|у них|этот|этом|этого)\b|"
                         r"\b(o do|cho do|noi do|ben do|o day|ho co|ho noi)\b|거기|그곳|그쪽|그데|거긴")
# How sure the classifier must be that a sentence with a district, right after a topic, asks a topic of its own
# ("my son in nam-gu needs to change school"; "my friend in nam-gu says after 8pm" is 0.8 for the emergency numbers).
OWN_TOPIC_CONFIDENCE = 0.9
# The classifier's topic for "where do they speak my language?": what a "languages" follow-up asks too.
LANGUAGES_TOPIC = "faq_russian_vietnamese_speaker"
_BOOKING = re.compile(r"\bbook|예약|запис|đặt lịch|hẹn", re.IGNORECASE)
# A child in an emergency message: the late-night children's clinic first.
_CHILD = re.compile(r"\b(baby|babies|child|children|kid|kids|son|daughter|toddler|infant|em be|be (trai|gai))\b|"
                    r"\bреб[её]н|\bдет(и|ей|ям|ск)|\bсын|\bдоч|\bмалыш|"
                    r"\bcon (toi|em|e|minh|trai|gai|be)\b|\bbe (bi|sot)\b|\btre (con|em|nho)\b|\bcon (nit|nho)\b|"
                    r"아기|애기|아이|아들|딸|유아|소아|(?<![가-힣])애(가|는|기|들|를)")
_DIVORCE = re.compile(r"\bdivorc|\bразвод|\bly hon\b|\bly di\b|이혼")
# An event asked after within this many days of its end: the answer says it ended before giving the next.
LAST_ENDED_DAYS = 180
# The line each first line sends the resident to (data/services.yml), for the follow-ups that come next.
URGENT_PLACES = {Urgency.MEDICAL: "fire-ambulance-119", Urgency.FIRE: "fire-ambulance-119",
                 Urgency.VIOLENCE: "police-112", Urgency.DOMESTIC_VIOLENCE: "danuri-helpline",
                 Urgency.OVERSTAY: "immigration-contact-center"}
# The emergency lines as places (no address: where to go is an emergency room).
EMERGENCY_LINES = frozenset({URGENT_PLACES[Urgency.MEDICAL], URGENT_PLACES[Urgency.VIOLENCE]})
OWN_QUESTION_WORDS = 6
URGENT_MINUTES = 10
# Topics with a deadline whose missing costs a fine: time gone by, said after them, asks what being late costs.
DEADLINE_TOPICS = frozenset({"faq_address_change", "faq_visa_extension", "faq_alien_registration"})


def _service_list(cards: list[dict[str, Any]], left: list[str], lang: str) -> Reply:
    """A page of services as the finder shows them; ``left`` are the slugs "more" shows next, and the next
    "phone?" is about the first shown."""
    custom = {"key": "service_list", "args": {"services": cards, "total": len(cards) + len(left),
                                              "shown": len(cards), "open_now": False}}
    text_out, buttons, _ = render_message(custom, lang)
    reply = Reply(language=lang, texts=[text_out], keys=["service_list"], more_services=left,
                  about_topic="service_list", about_service=cards[0]["slug"] if cards else None,
                  listed_services=[str(card["slug"]) for card in cards],
                  redo=[{"rasa": custom}])  # said again in another language as the same page
    shown = message_cards(custom, lang)
    if shown:
        reply.cards.extend(shown)
        reply.cards_for[0] = shown
    reply.add_buttons(buttons)
    return reply


# Emergencies under way, whose line stays first when the next message asks whether to call for help.
_EMERGENCIES_UNDER_WAY = (Urgency.MEDICAL, Urgency.FIRE, Urgency.VIOLENCE, Urgency.DOMESTIC_VIOLENCE)
# Not speaking Korean, said after an answer: a need for interpreting ("he is nepali no korean who can help him talk").
_NO_KOREAN = re.compile(r"\b(my|his|her|our) korean is (bad|poor|not good|weak)\b|\bno korean\b|"
                        r"\b(can'?t|cannot|don'?t|doesn'?t|do not|does not) (speak|understand|know) korean\b|"
                        r"\bне (говор|понима|зна)\w* (по-? ?)?корейск|\bпо-? ?корейски (вообще |совсем |плохо )?не\b|"
                        r"\b(khong|ko|k|chua) (biet|noi|hieu) (duoc |dc )?tieng han\b|"
                        r"\btieng han (kem|ko gioi|khong gioi)\b|"
                        r"한국말(을|은)? ?(잘 |하나도 |전혀 )?못|한국어(를|는)? ?(잘 |하나도 |전혀 )?못")
_LEARN = re.compile(r"\blearn|\bclass|\bstudy|\bучи|\bкурс|\bhoc\b|\blop\b|배우|수업|교실")
# The evening or day before an event ("is there something the night before", "а накануне вечером?").
_EVE = re.compile(r"\b(the )?(night|evening|day) before\b|\beve\b|\bнакануне\b|\bв канун\b|\bдень до\b|"
                  r"\b(dem|toi|hom) (hom )?truoc\b|\bngay truoc\b|전날|전야|하루 ?전")
# A number alone, with its unit and a "what about": an answer, or a case of the topic just answered.
_NUMBER_ALONE = re.compile(
    r"(?:what about|and|if|а|а если|и|если|con|neu|còn|nếu|그럼|만약)?\s*\d{1,3}\s*"
    r"(?:months?|weeks?|days?|years?|times|месяц\w*|мес|недел\w*|дн\w*|дней|год\w*|лет|раз\w*|"
    r"thang|tuan|ngay|nam|lan|개월|달|주|일|년|번)?\s*(?:then|thi sao|sao|the nao|a|요|이요|은요|는요|이면요|면요)?")
# Wanting to leave Korea for good ("i want go home nepal", "хочу сам уехать", "muon ve nuoc", "우리나라 가고싶어요").
_GO_HOME = re.compile(r"\bgo(ing)? (back )?home\b|\bgo back to my (country|home)\b|\bleave korea\b|"
                      r"\breturn (home|to my)\b|\bfly home\b|\bуехать\b|\bуеду\b|"
                      r"\bвыехать\b|\bвернуться (домой|на родину)\b|"
                      r"\bдомой\b|\bна родину\b|\bve (nuoc|vn|viet ?nam|que|nha)\b|\bvenuoc\b|"
                      r"(우리\s?)?나라\s?(에|로)?\s?(가고|가면|갈래|돌아)|고향\s?(에\s?)?(가|돌아)|귀국|본국|집에\s?(가|돌아)고|출국하고")
_CALLS_EMERGENCY = re.compile(r"\b11[29]\b|(?<!\d)11[29](?!\d)|\bambulance\b|\bpolice\b|\bскор(ую|ой|ая)\b|"
                              r"\bполици|\bcap cuu\b|\bcong an\b|\bcanh sat\b|구급차|경찰")


def _place_value(service: Service, fact: str, lang: str) -> Any:
    """The value of one fact in a place's record (``None`` when nobody recorded it)."""
    return {"address": pick(service.address, lang), "phone": service.phone, "hours": pick(service.hours, lang),
            "when": pick(service.hours, lang), "booking": pick(service.hours, lang), "website": service.website,
            "fee": pick(service.fee, lang),
            "languages": None if _languages_unrecorded(service) else service.languages_served}.get(fact)


def _recent_urgency(resident: Resident) -> Optional[Urgency]:
    """The urgent situation the resident described in the last minutes, if any."""
    context = resident.context or {}
    try:
        kind = Urgency(str(context.get("urgent")))
    except ValueError:
        return None
    return kind if _fresh(context, "urgent_at", URGENT_MINUTES) else None


def _fresh(context: dict[str, Any], key: str, minutes: int) -> bool:
    """Whether the moment ``context[key]`` (ISO, UTC) is at most ``minutes`` ago."""
    try:
        at = dt.datetime.fromisoformat(str(context.get(key)))
    except ValueError:
        return False
    return utcnow() - as_utc(at) <= dt.timedelta(minutes=minutes)


def _on_day(event: dict[str, Any], day: tuple[int, int]) -> bool:
    """Whether an event (its data) starts on ``day`` (month, day) of its year."""
    return str(event.get("start_date") or "")[5:] == f"{day[0]:02d}-{day[1]:02d}"


def _event_asked_about(text: str, events: list[dict[str, Any]],
                       default: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The listed event the question names ("설날잔치" -> the Seollal party) or dates ("20/5", "May 20",
    "20 мая", "5월 20일"), else ``default`` or the first (nearest)."""
    words = {w for w in re.findall(r"\w{2,}", fold(text.casefold()))}
    day = day_of_month(text)

    def shared(event: dict[str, Any]) -> int:
        names = " ".join(str(v) for v in (event.get("name") or {}).values())
        name_words = set(re.findall(r"\w{2,}", fold(names.casefold())))
        # Korean words carry particles and compounds ("설날잔치"): a shared stem of two syllables counts.
        return len(words & name_words) + sum(1 for w in words for n in name_words
                                             if w != n and len(n) >= 2 and (n in w or w in n))

    if day is not None:
        dated = [e for e in events if _on_day(e, day)]
        if len(dated) == 1:
            return dated[0]
    best = max(events, key=shared)
    if shared(best) > 0:
        return best
    return default if isinstance(default, dict) else events[0]
