"""The misunderstood inbox: what residents asked that the bot did not answer well.

Recording (called by the core in the transaction that stores the bot's answer):
a resident's message whose answer was a fallback (``fallback``), topics offered
as "did you mean…?" (``suggested``) or a hand-off to staff (``handed_off``)
becomes an :class:`~hamkke.db.models.InboxItem` with the bot's best guesses.
Urgent answers are never recorded, nor messages relayed to staff who hold
the conversation. A message that is only a button's label ("Talk to staff")
or a bare request for a person is nothing to learn from: a hand-off it
starts is recorded against the resident's question just before it.

"Did not help": under an FAQ answer (catalog keys ``faq_*``) the core offers
one button, :func:`feedback_offer` decides when (room for one more button,
at most once in :data:`FEEDBACK_TURNS` of the resident's messages). Its
payload names the stored answer (``/not_helpful{"m": 123}``); pressing it
stores one :class:`~hamkke.db.models.Feedback` row per answer and an item
(``not_helpful``) for the question that got it (:func:`not_helpful`).

Admins (``/admin/inbox``) see new items grouped by language, then by
similarity (:func:`group`: character 2- and 3-grams of the folded text,
Jaccard at least :data:`SIMILAR`), and assign them to an FAQ entry (each
becomes a training example in its language), start a new entry from one, or
dismiss them. Every action is audited; no message text goes to the audit log.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache
from typing import Any, Optional, Protocol

import yaml
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hamkke import SUPPORTED_LANGUAGES, clock
from hamkke.accounts import audit
from hamkke.config import PROJECT_ROOT
from hamkke.conversations import HandoffSignal
from hamkke.db.models import FaqEntry, FaqExample, Feedback, InboxItem, Message, Resident, as_utc, utcnow
from hamkke.folding import fold
from hamkke.handoff_words import asks_for_person
from hamkke.i18n import has, t
from hamkke.provenance import record_edit
from hamkke.translit import is_translit_russian, to_cyrillic

REASONS = ("fallback", "suggested", "not_helpful", "handed_off")
# Answers that say the message was not understood (the core's NOT_UNDERSTOOD, "did you mean…?" apart).
FALLBACK_KEYS = frozenset({"fallback", "fallback_again", "out_of_scope"})
SUGGEST_KEY = "fallback_suggest"
NOT_HELPFUL = "/not_helpful"
_NOT_HELPFUL = re.compile(r'^/not_helpful\{"m":\s*(\d{1,12})\}$')
FEEDBACK_KEY = "button_not_helpful"
# "Did not help" is offered at most once in this many messages of a resident.
FEEDBACK_TURNS = 5
# How long the last "did not help" button still counts when pressed again (minutes).
FEEDBACK_FRESH_MINUTES = 30
# A hand-off by button follows the question it is about within these minutes.
QUESTION_FRESH_MINUTES = 10
MAX_GUESSES = 3
# Two questions are alike from this Jaccard similarity of their character 2- and 3-grams.
SIMILAR = 0.4
# Items shown per language (newest first), so the page stays quick.
PAGE_ITEMS = 400
_NOT_WORD = re.compile(r"[\W_]+")
_NOT_TEXT = re.compile(r"^\[[a-z_]+\]")  # how the core stores a sticker, a photo…: "[sticker]"
_INTENT = re.compile(r"^faq_[a-z0-9_]{2,60}$")


class InboxError(ValueError):
    """An admin action that cannot be done: ``key`` names the console's words for it (``inbox_err_*``),
    ``status`` the HTTP status the page answers with."""

    def __init__(self, key: str, status: int = 400, **args: Any) -> None:
        super().__init__(key)
        self.key, self.status, self.args_ = key, status, args


class ButtonLike(Protocol):
    """A button of a reply (bot.replies.Button)."""

    @property
    def label(self) -> str: ...

    @property
    def payload(self) -> str: ...


class AnswerLike(Protocol):
    """What the inbox reads of the bot's reply (bot.replies.Reply); nothing of it is changed here."""

    @property
    def language(self) -> str: ...

    @property
    def texts(self) -> list[str]: ...

    @property
    def keys(self) -> list[str]: ...

    @property
    def buttons(self) -> Sequence[ButtonLike]: ...

    @property
    def handoff(self) -> Optional[HandoffSignal]: ...

    @property
    def handed_off(self) -> bool: ...

    @property
    def guesses(self) -> Optional[list[dict[str, Any]]]: ...


# -- recording --------------------------------------------------------------------------------------


def is_urgent(reply: AnswerLike) -> bool:
    """Whether the answer starts with what to do in an emergency (never recorded, never asked about)."""
    return any(key.startswith("urgent_") for key in reply.keys)


def reason_for(reply: AnswerLike) -> Optional[str]:
    """Why the answer belongs in the inbox (``fallback``, ``suggested``, ``handed_off``), or ``None``."""
    if is_urgent(reply):
        return None
    if reply.handoff is not None or reply.handed_off:
        return "handed_off"
    if SUGGEST_KEY in reply.keys:
        return "suggested"
    if any(key in FALLBACK_KEYS for key in reply.keys):
        return "fallback"
    return None


def clean_guesses(value: Any) -> list[dict[str, Any]]:
    """The classifier's guesses as sent by the fallback action: ``[{"intent", "score"}]``, at most three."""
    out: list[dict[str, Any]] = []
    for guess in value if isinstance(value, list) else []:
        if not isinstance(guess, dict) or not isinstance(guess.get("intent"), str):
            continue
        score = guess.get("score")
        out.append({"intent": guess["intent"][:64],
                    "score": round(float(score), 3) if isinstance(score, (int, float)) else None})
    return out[:MAX_GUESSES]


def guesses_for(reply: AnswerLike) -> list[dict[str, Any]]:
    """The bot's best guesses: the classifier's (with scores) when the answer carried them, else the
    topics it offered as buttons, else the topic a hand-off was about."""
    guesses = clean_guesses(reply.guesses)
    offered = [b.payload[1:] for b in reply.buttons if b.payload.startswith("/")
               and b.payload not in ("/request_human", "/help") and "{" not in b.payload]
    known = {g["intent"] for g in guesses}
    guesses += [{"intent": intent, "score": None} for intent in offered if intent not in known]
    if not guesses and reply.handoff is not None and reply.handoff.topic:
        guesses = [{"intent": reply.handoff.topic, "score": None}]
    return guesses[:MAX_GUESSES]


async def _labels_before(session: AsyncSession, message: Message) -> set[str]:
    """The labels of the buttons the bot offered right before ``message``."""
    payload = await session.scalar(
        select(Message.payload).where(Message.resident_id == message.resident_id, Message.direction == "out",
                                      Message.id < message.id).order_by(Message.id.desc()).limit(1))
    buttons = (payload or {}).get("buttons") if isinstance(payload, dict) else None
    return {str(b.get("label")) for b in buttons or [] if isinstance(b, dict)}


async def is_typed_question(session: AsyncSession, message: Message) -> bool:
    """Whether a resident's message is their own words: not a button's label, a command, a sticker
    placeholder or a bare request for a person."""
    text = (message.text or "").strip()
    if not text or text.startswith("/") or _NOT_TEXT.match(text):
        return False
    if asks_for_person(text) and len(text.split()) <= 3:
        return False
    return text not in await _labels_before(session, message)


async def _question(session: AsyncSession, message: Message) -> Optional[Message]:
    """The resident's question behind ``message``: itself when typed, else the message just before it
    (when typed and recent)."""
    if await is_typed_question(session, message):
        return message
    previous = await session.scalar(
        select(Message).where(Message.resident_id == message.resident_id, Message.direction == "in",
                              Message.id < message.id).order_by(Message.id.desc()).limit(1))
    if previous is None or as_utc(previous.created_at) < as_utc(message.created_at) - dt.timedelta(
            minutes=QUESTION_FRESH_MINUTES):
        return None
    return previous if await is_typed_question(session, previous) else None


def _language(message: Message, fallback: Optional[str]) -> Optional[str]:
    return message.language if message.language in SUPPORTED_LANGUAGES else fallback


async def _add_item(session: AsyncSession, question: Message, reason: str, language: Optional[str],
                    topic: Optional[str], guesses: Optional[list[dict[str, Any]]]) -> Optional[InboxItem]:
    """One item per message: a message already in the inbox keeps its first reason."""
    if await session.scalar(select(InboxItem.id).where(InboxItem.message_id == question.id)) is not None:
        return None
    item = InboxItem(message_id=question.id, language=language, text=question.text, reason=reason,
                     topic=topic[:64] if topic else None, guesses=guesses or None, status="new")
    session.add(item)
    return item


async def record(session: AsyncSession, inbound: Message, reply: AnswerLike) -> Optional[InboxItem]:
    """Add the inbox item an answer calls for (the caller commits, with the answer).

    ``inbound`` is the stored (masked) message the answer replies to.
    """
    reason = reason_for(reply)
    if reason is None:
        return None
    question: Optional[Message] = inbound
    if reason == "handed_off":
        # "Talk to staff" pressed after an answer: the question that answer did not settle.
        question = await _question(session, inbound)
    elif not await is_typed_question(session, inbound):
        question = None
    if question is None:
        return None
    topic = reply.handoff.topic if reply.handoff is not None else None
    return await _add_item(session, question, reason, _language(question, reply.language), topic,
                           guesses_for(reply))


# -- "did not help" ---------------------------------------------------------------------------------


def feedback_payload(message_id: int) -> str:
    """The payload of the "did not help" button under the stored answer ``message_id``."""
    return f'{NOT_HELPFUL}{{"m": {int(message_id)}}}'


def answer_of(payload: str) -> Optional[int]:
    """The stored answer a "did not help" payload names, or ``None``."""
    found = _NOT_HELPFUL.match(payload.strip())
    return int(found.group(1)) if found else None


def is_faq_answer(reply: AnswerLike) -> bool:
    """An answer made of FAQ answers only (one text per ``faq_*`` key), with no hand-off."""
    return bool(reply.keys) and len(reply.keys) == len(reply.texts) and all(
        key.startswith("faq_") for key in reply.keys) and reply.handoff is None and not reply.handed_off


async def feedback_offer(session: AsyncSession, resident: Resident, inbound: Message, outbound: Message,
                         reply: AnswerLike, max_buttons: int) -> Optional[tuple[str, str]]:
    """The "did not help" button for this answer (label, payload), or ``None``.

    Offered under an FAQ answer, when the reply has room for one more button
    (``max_buttons``: Kakao's ten quick replies), and at most once in
    :data:`FEEDBACK_TURNS` messages of the resident. Records the offer in the
    resident's context and the button in the stored answer's payload.
    """
    if not is_faq_answer(reply) or len(reply.buttons) >= max_buttons or not has(FEEDBACK_KEY, reply.language):
        return None
    context = dict(resident.context or {})
    last = context.get("feedback")
    if isinstance(last, dict) and isinstance(last.get("msg"), int):
        since = await session.scalar(select(func.count(Message.id)).where(
            Message.resident_id == resident.id, Message.direction == "in", Message.id > last["msg"]))
        if int(since or 0) < FEEDBACK_TURNS:
            return None
    label, payload = t(FEEDBACK_KEY, reply.language), feedback_payload(outbound.id)
    context["feedback"] = {"label": label, "payload": payload, "msg": inbound.id, "at": utcnow().isoformat()}
    resident.context = context
    stored = dict(outbound.payload or {})
    stored["buttons"] = [*(stored.get("buttons") or []), {"label": label, "payload": payload}]
    outbound.payload = stored
    return label, payload


def pressed_again(context: Optional[dict[str, Any]], text: str) -> Optional[str]:
    """The payload of the last "did not help" button when its label comes again (a second press
    after the buttons changed), while it is fresh."""
    last = (context or {}).get("feedback")
    if not isinstance(last, dict) or text.strip() != last.get("label"):
        return None
    try:
        at = as_utc(dt.datetime.fromisoformat(str(last.get("at"))))
    except ValueError:
        return None
    if utcnow() - at > dt.timedelta(minutes=FEEDBACK_FRESH_MINUTES):
        return None
    payload = last.get("payload")
    return payload if isinstance(payload, str) else None


async def not_helpful(session: AsyncSession, resident_id: int, payload: str) -> str:
    """Store that the answer a payload names did not help (the caller commits).

    Returns ``recorded``, ``again`` (already said for this answer: nothing
    stored twice) or ``unknown`` (no such answer of this resident).
    """
    message_id = answer_of(payload)
    answer = await session.get(Message, message_id) if message_id is not None else None
    if answer is None or answer.resident_id != resident_id or answer.direction != "out":
        return "unknown"
    if await session.scalar(select(Feedback.id).where(Feedback.message_id == answer.id)) is not None:
        return "again"
    async with session.begin_nested():
        session.add(Feedback(message_id=answer.id, resident_id=resident_id, kind="not_helpful"))
    stored = answer.payload if isinstance(answer.payload, dict) else {}
    keys = [str(k) for k in stored.get("keys") or []]
    topic = stored.get("topic") if isinstance(stored.get("topic"), str) else None
    topic = topic or next((k for k in keys if k.startswith("faq_")), None)
    asked = await session.get(Message, answer.reply_to_id) if answer.reply_to_id else None
    question = await _question(session, asked) if asked is not None else None
    if question is not None:
        await _add_item(session, question, "not_helpful", _language(question, answer.language), topic, None)
    return "recorded"


# -- grouping ---------------------------------------------------------------------------------------


def grams(text: str, language: Optional[str] = None) -> frozenset[str]:
    """Character 2- and 3-grams of a question's folded letters and digits.

    Folding makes "gia hạn" and "gia han" one; spaces are dropped, so
    "비자연장" and "비자 연장" are one too; Russian typed in Latin letters is
    written in Cyrillic first.
    """
    if language in (None, "ru") and is_translit_russian(text.casefold()):
        text = to_cyrillic(text.casefold())
    letters = _NOT_WORD.sub("", fold(text.casefold()).replace("ё", "е"))
    if len(letters) < 3:
        return frozenset({letters}) if letters else frozenset()
    return frozenset({letters[i:i + 2] for i in range(len(letters) - 1)}
                     | {letters[i:i + 3] for i in range(len(letters) - 2)})


def similarity(a: frozenset[str], b: frozenset[str]) -> float:
    """Jaccard similarity of two n-gram sets."""
    if not a or not b:
        return 0.0
    return len(a & b) / len(a | b)


@dataclass
class Group:
    """Items alike enough to be one question, and what the bot guessed for them."""

    items: list[InboxItem] = field(default_factory=list)
    grams: list[frozenset[str]] = field(default_factory=list)

    @property
    def ids(self) -> str:
        """The items' ids, comma-separated (what the page's forms send)."""
        return ",".join(str(item.id) for item in self.items)

    @property
    def first_guess(self) -> Optional[str]:
        """The intent most items guessed first (ties: the newest item's)."""
        firsts = [str(item.guesses[0]["intent"]) for item in self.items
                  if item.guesses and isinstance(item.guesses[0], dict) and item.guesses[0].get("intent")]
        if not firsts:
            return None
        counts = Counter(firsts)
        return max(firsts, key=lambda intent: counts[intent])


def group(items: Iterable[InboxItem], threshold: float = SIMILAR) -> list[Group]:
    """Group items of one language by similarity; largest groups first (then the newest).

    Items are taken newest first; each joins the group with the member it is
    most alike to, when that similarity reaches ``threshold``, else starts a
    group of its own.
    """
    ordered = sorted(items, key=lambda item: (as_utc(item.created_at), item.id), reverse=True)
    groups: list[Group] = []
    for item in ordered:
        mine = grams(item.text, item.language)
        best, best_score = None, 0.0
        for candidate in groups:
            score = max(similarity(mine, other) for other in candidate.grams)
            if score > best_score:
                best, best_score = candidate, score
        if best is not None and best_score >= threshold:
            best.items.append(item)
            best.grams.append(mine)
        else:
            groups.append(Group([item], [mine]))
    return sorted(groups, key=lambda g: len(g.items), reverse=True)  # stable: newest first within a size


async def new_groups(session: AsyncSession) -> dict[str, list[Group]]:
    """New items by language (ko, en, ru, vi, then any other), each language grouped by similarity."""
    rows = (await session.scalars(select(InboxItem).where(InboxItem.status == "new")
                                  .order_by(InboxItem.id.desc()))).all()
    by_language: dict[str, list[InboxItem]] = {}
    for item in rows:
        items = by_language.setdefault(item.language or "?", [])
        if len(items) < PAGE_ITEMS:
            items.append(item)
    order = sorted(by_language, key=lambda lang: (SUPPORTED_LANGUAGES.index(lang)
                                                  if lang in SUPPORTED_LANGUAGES else len(SUPPORTED_LANGUAGES), lang))
    return {lang: group(by_language[lang]) for lang in order}


# -- admins' actions --------------------------------------------------------------------------------


@cache
def _domain_faq_intents() -> tuple[str, ...]:
    """The FAQ intents the repository's model knows (domain.yml)."""
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8")) or {}
    names = [i if isinstance(i, str) else next(iter(i)) for i in domain.get("intents") or []]
    return tuple(sorted(n for n in names if isinstance(n, str) and n.startswith("faq_")))


async def faq_intents(session: AsyncSession) -> list[str]:
    """The FAQ entries an item can be assigned to: every entry not retired, and the repository's FAQ
    topics not yet imported as entries."""
    rows = (await session.execute(select(FaqEntry.intent, FaqEntry.status))).all()
    retired = {intent for intent, status in rows if status == "retired"}
    return sorted(({intent for intent, _status in rows} | set(_domain_faq_intents())) - retired)


def parse_ids(value: Any) -> list[int]:
    """Item ids from a form field ("3,4,5") or a JSON list."""
    parts = value if isinstance(value, list) else str(value or "").split(",")
    ids = []
    for part in parts:
        text = str(part).strip()
        if text.isdigit() and len(text) <= 12:
            ids.append(int(text))
    return list(dict.fromkeys(ids))


async def _new_items(session: AsyncSession, ids: Sequence[int]) -> list[InboxItem]:
    if not ids:
        return []
    return list((await session.scalars(select(InboxItem).where(
        InboxItem.id.in_(list(ids)), InboxItem.status == "new").order_by(InboxItem.id))).all())


async def _add_example(session: AsyncSession, intent: str, item: InboxItem, user_id: Optional[int]) -> bool:
    """The item's question as an example of ``intent`` in its language (once)."""
    language = item.language if item.language in SUPPORTED_LANGUAGES else None
    text = " ".join(item.text.split())
    if language is None or not text:
        return False
    exists = await session.scalar(select(FaqExample.id).where(
        FaqExample.intent == intent, FaqExample.language == language, FaqExample.text == text))
    if exists is not None:
        return False
    session.add(FaqExample(intent=intent, language=language, text=text, origin="inbox", added_by=user_id))
    await session.flush()
    return True


def _resolve(items: Iterable[InboxItem], status: str, intent: Optional[str], user_id: Optional[int]) -> None:
    now = utcnow()
    for item in items:
        item.status, item.intent, item.resolved_by, item.resolved_at = status, intent, user_id, now


async def assign(session: AsyncSession, ids: Sequence[int], intent: str, user_id: Optional[int]) -> int:
    """Make new items examples of the FAQ entry ``intent`` (each in its language); mark them assigned.

    Returns how many examples were added (a question already an example is
    not added twice). The examples wait for the next retraining. Audited; the
    caller commits.
    """
    if intent not in await faq_intents(session):
        raise InboxError("inbox_err_unknown_entry", intent=intent)
    items = await _new_items(session, ids)
    if not items:
        raise InboxError("inbox_err_no_item", status=404)
    added = 0
    for item in items:
        added += await _add_example(session, intent, item, user_id)
    _resolve(items, "assigned", intent, user_id)
    await audit(session, user_id, "inbox_assigned", items=[i.id for i in items], intent=intent, examples=added)
    return added


async def dismiss(session: AsyncSession, ids: Sequence[int], user_id: Optional[int]) -> int:
    """Dismiss new items (nothing to learn from them). Audited; the caller commits."""
    items = await _new_items(session, ids)
    if not items:
        raise InboxError("inbox_err_no_item", status=404)
    _resolve(items, "dismissed", None, user_id)
    await audit(session, user_id, "inbox_dismissed", items=[i.id for i in items])
    return len(items)


def entry_name(value: str, item_id: int) -> str:
    """A new entry's intent from what the admin typed ("visa fee" -> ``faq_visa_fee``)."""
    words = re.findall(r"[a-z0-9]+", fold(value.casefold()))
    name = "_".join(words).removeprefix("faq_")
    return f"faq_{name}"[:64] if name else f"faq_inbox_{item_id}"


async def new_entry(session: AsyncSession, item_id: int, name: str, user_id: Optional[int]) -> FaqEntry:
    """Start a draft FAQ entry from a new item: its question is the entry's first example in its
    language. Audited (and marked as an admin's edit); the caller commits."""
    (item,) = await _new_items(session, [item_id]) or (None,)
    if item is None:
        raise InboxError("inbox_err_no_item", status=404)
    intent = entry_name(name, item.id)
    if not _INTENT.match(intent):
        raise InboxError("inbox_err_name")
    if intent in _domain_faq_intents() or await session.scalar(
            select(FaqEntry.id).where(FaqEntry.intent == intent)) is not None:
        raise InboxError("inbox_err_exists", status=409, intent=intent)
    entry = FaqEntry(intent=intent, answers={}, status="draft", verified_on=clock.today(), updated_by=user_id)
    session.add(entry)
    await session.flush()
    await _add_example(session, intent, item, user_id)
    _resolve([item], "new_entry", intent, user_id)
    await record_edit(session, "faq", intent, user_id, None, action="inbox_new_entry", item=item.id)
    return entry


async def counts(session: AsyncSession) -> dict[str, int]:
    """New items per reason (for the page's summary)."""
    rows = (await session.execute(select(InboxItem.reason, func.count(InboxItem.id))
                                  .where(InboxItem.status == "new").group_by(InboxItem.reason))).all()
    return {str(reason): int(n) for reason, n in rows}


def guess_label(guess: dict[str, Any]) -> str:
    """A guess as the page shows it: ``faq_visa_extension 62%`` (with the classifier's score, if any)."""
    score = guess.get("score")
    return f"{guess.get('intent')} {round(float(score) * 100)}%" if isinstance(score, (int, float)) else str(
        guess.get("intent"))
