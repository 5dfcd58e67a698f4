"""Channel-neutral replies, rendered from catalog keys in one language."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Optional

from babel import Locale
from babel.dates import format_date

from hamkke import SUPPORTED_LANGUAGES
from hamkke.conversations import HandoffSignal
from hamkke.i18n import MissingMessage, has, long_date, t


@dataclass(frozen=True)
class Button:
    """A choice offered to the resident. ``payload`` never comes from user text."""

    label: str
    payload: str


@dataclass(frozen=True)
class Card:
    """A service as a card: channels that can show cards (Kakao) use these
    beside the text; the others show the text and a link button."""

    title: str
    description: str
    phone: Optional[str] = None
    url: Optional[str] = None


@dataclass
class Reply:
    """What the assistant answers to one message.

    ``ask_location``: the channel may offer to share a location (Telegram).
    """

    language: str
    texts: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    handed_off: bool = False
    cards: list[Card] = field(default_factory=list)
    # Which text (by index) the cards stand for, so card channels can show them instead.
    cards_for: dict[int, list[Card]] = field(default_factory=dict)
    ask_location: bool = False
    # The stored outgoing message (set when the core stores the answer).
    stored_id: Optional[int] = None
    # An action asked to hand the conversation to staff (the core records it).
    handoff: Optional[HandoffSignal] = None
    # The message went to the staff who own the conversation; the bot says nothing.
    relayed: bool = False
    # The catalog key behind each text (same order as ``texts``), where there is one.
    keys: list[str] = field(default_factory=list)
    # What the answer was about, for follow-up questions: a topic key and its place's slug.
    about_topic: Optional[str] = None
    about_service: Optional[str] = None
    # An event the answer listed first (its data), for "where is it?" / "what time?".
    about_event: Optional[dict[str, Any]] = None
    # All the events the answer listed (their data, at most a few), so a follow-up can name another one
    # ("and the one on 20 May, where?").
    listed_events: Optional[list[dict[str, Any]]] = None
    # The services the answer showed (slugs), so that "phone for chosun?" names one of them; None leaves the last.
    listed_services: Optional[list[str]] = None
    # Services found but not shown yet (slugs, in order), for "more"; None leaves the last list's.
    more_services: Optional[list[str]] = None
    # The classifier's best guesses when it was unsure ([{"intent", "score"}], from the fallback
    # action), for the admins' misunderstood inbox (hamkke.inbox).
    guesses: Optional[list[dict[str, Any]]] = None
    # A paragraph a channel shows once under the answer (KakaoTalk's privacy notice to a new resident);
    # not part of the answer's text.
    notice: Optional[str] = None
    # How to say the answer's main part again in another language ("write it in Korean for my wife"), piece by
    # piece: {"rasa": a catalog message}, {"fact": [topic, fact]}, {"place": [slug, fact, topic]} or
    # {"t": [catalog key, its arguments]}. None: nothing to say again (the topic's answer is said instead).
    redo: Optional[list[dict[str, Any]]] = None

    @property
    def text(self) -> str:
        """All parts of the answer, as one text."""
        return "\n\n".join(self.texts)

    def prepend(self, texts: list[str], keys: list[str], cards_for: Optional[dict[int, list[Card]]] = None) -> None:
        """Put ``texts`` (with their catalog ``keys`` and the cards that stand for them, by index in ``texts``)
        before the answer; its own cards stay with their texts."""
        self.insert(0, texts, keys, cards_for)

    def insert(self, at: int, texts: list[str], keys: list[str],
               cards_for: Optional[dict[int, list[Card]]] = None) -> None:
        """Put ``texts`` (with their ``keys`` and cards, by index in ``texts``) before the answer's text ``at``
        (its length: after the answer); the answer's own cards stay with their texts."""
        after = at >= len(self.texts)
        self.texts[at:at], self.keys[at:at] = texts, keys
        self.cards_for = {index + (index >= at) * len(texts): cards for index, cards in self.cards_for.items()}
        if cards_for:
            self.cards_for.update({at + index: cards for index, cards in cards_for.items()})
            position = 0 if at == 0 else len(self.cards) if after else \
                sum(len(cards) for index, cards in self.cards_for.items() if index < at)
            self.cards[position:position] = [card for index in sorted(cards_for) for card in cards_for[index]]

    def add_buttons(self, buttons: Iterable[Button]) -> None:
        """Offer more buttons, skipping a payload already offered."""
        seen = {b.payload for b in self.buttons}
        for button in buttons:
            if button.payload not in seen:
                self.buttons.append(button)
                seen.add(button.payload)


def pick(value: Any, lang: str) -> Optional[str]:
    if isinstance(value, dict):
        return value.get(lang) or value.get("en") or next(iter(value.values()), None)
    return value if isinstance(value, str) else None


def language_names(codes: Any, lang: str) -> Optional[str]:
    """Language codes as names in ``lang`` ("русский, вьетнамский, +8")."""
    if not isinstance(codes, list) or not codes:
        return None
    names = Locale.parse(lang).languages
    shown = [str(names.get(code, code)) for code in codes[:6]]
    if len(codes) > 6:
        shown.append(f"+{len(codes) - 6}")
    return ", ".join(shown)


def render_service(service: dict[str, Any], lang: str, compact: bool = False) -> str:
    """A service card: name, description, phone, hours, address, languages, website.

    ``compact`` (in lists) leaves out the description.
    """
    name = pick(service.get("name"), lang) or ""
    lines = [
        f"▪ {name}" if compact else
        t("service_card", lang, name=name, description=pick(service.get("description"), lang) or "")
    ]
    for label, value in (
        ("label_phone", service.get("phone")),
        ("label_hours", pick(service.get("hours"), lang)),
        ("label_address", pick(service.get("address"), lang)),
        ("label_languages", language_names(service.get("languages_served"), lang)),
        ("label_website", service.get("website")),
    ):
        if value:
            lines.append(f"{t(label, lang)}: {value}")
    if service.get("confidence") == "L":
        lines.append(t("label_unconfirmed", lang, phone=service.get("confirm_phone") or "1345"))
    return "\n".join(lines)


def format_dates(start: str, end: str, lang: str) -> str:
    """A date or a date range as ``lang`` writes it ("17–18 мая 2027 г.", "2027년 5월 17일")."""
    first, last = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    if first == last:  # one day: with its weekday ("thu may?", "무슨 요일이에요?")
        if lang == "vi":
            return f"{format_date(first, 'EEEE', locale='vi')}, {long_date(first, lang)}"
        return str(format_date(first, format="full", locale=lang))
    return f"{long_date(first, lang)} – {long_date(last, lang)}"


def render_event(event: dict[str, Any], lang: str, compact: bool = False) -> str:
    """One event: name, dates (and time), venue, a line of description (not in long lists)."""
    when = format_dates(event["start_date"], event["end_date"], lang)
    if event.get("start_time"):
        when += f", {event['start_time']}"
    if event.get("approximate"):
        when += f" ({t('event_date_unconfirmed', lang)})"
    lines = [f"• {pick(event.get('name'), lang) or ''} — {when}"]
    venue = pick(event.get("venue"), lang)
    if venue:
        lines.append(f"  {t('label_venue', lang)}: {venue}")
    description = pick(event.get("description"), lang)
    if description and not compact:
        lines.append(f"  {description}")
    for label, value in (("label_phone", event.get("phone")), ("label_website", event.get("website"))):
        if value:
            lines.append(f"  {t(label, lang)}: {value}")
    return "\n".join(lines)


def render_service_list(args: dict[str, Any], lang: str) -> str:
    """Several services as cards, with how many more there are."""
    services = [s for s in args.get("services") or [] if isinstance(s, dict)]
    head = t("finder_open_now" if args.get("open_now") else "finder_found", lang, n=int(args.get("total") or 0))
    cards = []
    for service in services:
        card = render_service(service, lang, compact=True)
        if isinstance(service.get("distance_km"), (int, float)):
            card += "\n" + t("label_distance", lang, km=service["distance_km"])
        cards.append(card)
    more = int(args.get("total") or 0) - len(services)
    tail = [t("finder_more", lang, n=more)] if more > 0 else []
    return "\n\n".join([head, *cards, *tail])


def _texts(items: Any, lang: str) -> list[str]:
    return [t(item["key"], lang, **(item.get("args") or {})) for item in items or []
            if isinstance(item, dict) and isinstance(item.get("key"), str)]


def render_eligibility(result: dict[str, Any], lang: str) -> tuple[str, list[str], str]:
    """An eligibility result: the headline, the reasons and where to apply, in ``lang``."""
    program_key = f"program_name_{str(result['program']).replace('-', '_')}"
    period = result.get("applications") or {}
    if result["result"] == "eligible" and period.get("state") == "closed":
        # Would qualify, but this year's round is over: say both, never "you cannot get it".
        headline = t("elig_headline_eligible_closed", lang, program_key=program_key, year=result.get("year", ""),
                     until_date=period.get("until"))
    else:
        headline = t(f"elig_headline_{result['result']}", lang, program_key=program_key,
                     year=result.get("year", ""))
    if result.get("amount_krw") is not None:
        headline += " " + t("elig_amount", lang, amount_krw=int(result["amount_krw"]))
    if result.get("copay_percent") is not None:
        copay = int(result["copay_percent"])
        headline += " " + (t("elig_copay_free", lang) if copay == 0 else t("elig_copay", lang, copay=copay))
    return headline, _texts(result.get("reasons"), lang), " ".join(_texts(result.get("apply"), lang))


STRUCTURED_KEYS = frozenset({"service_card", "service_list", "eligibility_result"})
"""Messages rendered from their data and several catalog parts, not from one catalog key."""


def render_message(message: dict[str, Any], lang: str) -> tuple[str, list[Button], bool]:
    """Render one structured message from Rasa or an action.

    Returns the text, the buttons and whether it records a hand-off.
    """
    key = message.get("key")
    args = dict(message.get("args") or {})
    handed_off = bool(args.pop("handoff", False))
    if key == "service_card" and isinstance(args.get("service"), dict):
        text = render_service(args["service"], lang)
    elif key == "service_list":
        text = render_service_list(args, lang)
    elif key in ("events_in_period", "events_upcoming") and isinstance(args.get("events"), list):
        given = [e for e in args.pop("events") if isinstance(e, dict)]
        # Three or more events: names, dates and places only, so the answer fits a chat message.
        events = [render_event(e, lang, compact=len(given) > 2) for e in given]
        text = "\n\n".join([t(key, lang, **args), *events])
    elif key == "eligibility_result" and isinstance(args.get("result"), dict):
        headline, reasons, apply = render_eligibility(args["result"], lang)
        text = "\n".join([headline, *(f"• {r}" for r in reasons), "", f"{t('label_apply', lang)}: {apply}"])
    elif isinstance(key, str) and has(key, lang):
        text = t(key, lang, **args)
    else:
        raise MissingMessage(f"unknown message {key!r}")
    # A button without a label in this language (a new topic nobody named yet) is left out.
    buttons = [
        Button(t(b["key"], lang), b["payload"])
        for b in message.get("buttons") or []
        if isinstance(b, dict) and isinstance(b.get("key"), str) and isinstance(b.get("payload"), str)
        and has(b["key"], lang)
    ]
    return text, buttons, handed_off


def message_cards(message: dict[str, Any], lang: str) -> list[Card]:
    """The service cards of a structured message (a service, or a list of them)."""
    args = message.get("args") or {}
    if message.get("key") == "service_card":
        services = [args.get("service")]
    elif message.get("key") == "service_list":
        services = list(args.get("services") or [])
    else:
        return []
    cards = []
    for service in services:
        if not isinstance(service, dict):
            continue
        details = [pick(service.get("hours"), lang), pick(service.get("address"), lang)]
        cards.append(Card(
            title=pick(service.get("name"), lang) or "",
            description="\n".join(d for d in details if d) or (pick(service.get("description"), lang) or ""),
            phone=service.get("phone") if isinstance(service.get("phone"), str) else None,
            url=service.get("website") if isinstance(service.get("website"), str) else None,
        ))
    return cards


def simple(key: str, lang: str, buttons: Iterable[Button] = (), **args: Any) -> Reply:
    """A one-message reply straight from the catalog."""
    return Reply(language=lang, texts=[t(key, lang, **args)], buttons=list(buttons))


def is_privacy_notice(text: str) -> bool:
    """Whether ``text`` is the paragraph a new resident is told once (``Reply.notice``), in any language."""
    from hamkke import SUPPORTED_LANGUAGES

    return any(text.startswith(t("privacy_notice", lang, days="{days}").split("{days}")[0])
               for lang in SUPPORTED_LANGUAGES)


def human_button(lang: str) -> Button:
    """The "talk to a person" button."""
    return Button(t("button_human", lang), "/request_human")


def language_buttons() -> list[Button]:
    """One button per language, each in its own language."""
    return [Button(t("language_name_self", lang), f"lang:{lang}") for lang in SUPPORTED_LANGUAGES]
