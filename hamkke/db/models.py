"""Tables. Portable SQL only: SQLite by default, PostgreSQL when configured.

Message text is always stored masked (:func:`hamkke.privacy.mask`).
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import Any, Optional

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> dt.datetime:
    """The current time, timezone-aware, in UTC."""
    return dt.datetime.now(dt.timezone.utc)


def as_utc(moment: dt.datetime) -> dt.datetime:
    """A stored time, timezone-aware: SQLite gives naive datetimes back, and they are UTC."""
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


class Base(DeclarativeBase):
    """Declarative base of every table."""


class Resident(Base):
    """A person writing to the assistant through one channel."""

    __tablename__ = "residents"
    __table_args__ = (UniqueConstraint("channel", "channel_user_key", name="uq_resident_channel_user"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    channel_user_key: Mapped[str] = mapped_column(String(128))
    language: Mapped[Optional[str]] = mapped_column(String(8), nullable=True)
    language_source: Mapped[Optional[str]] = mapped_column(String(16), nullable=True)
    offered_buttons: Mapped[Optional[list[dict[str, str]]]] = mapped_column(JSON, nullable=True)
    # KakaoTalk: the callbackUrl of the resident's latest request while it is
    # valid (Kakao allows one use within a minute), for a staff reply.
    callback_url: Mapped[Optional[str]] = mapped_column(String(2048), nullable=True)
    callback_until: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    # The last topic or place the bot answered about ({"topic", "service", "at"}), for follow-ups.
    context: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    @property
    def conversation_id(self) -> str:
        """The id Rasa knows this resident by: no platform user id leaves the gateway."""
        return f"r{self.id}"


class Message(Base):
    """One message, from a resident (``in``) or to one (``out``)."""

    __tablename__ = "messages"
    __table_args__ = (
        Index("ix_messages_resident_created", "resident_id", "created_at"),
        Index("ix_messages_status", "status"),
        Index("ix_messages_conversation", "conversation_id"),
        UniqueConstraint("resident_id", "channel_message_id", name="uq_message_channel_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[Optional[str]] = mapped_column(String(16), nullable=True)
    status: Mapped[str] = mapped_column(String(16))  # a MessageStatus value
    # resident | bot | staff
    sender: Mapped[Optional[str]] = mapped_column(String(8), nullable=True)
    conversation_id: Mapped[Optional[int]] = mapped_column(
        ForeignKey("conversations.id", ondelete="SET NULL"), nullable=True)
    staff_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    # A staff reply: what the staff member wrote, in their language, before translation.
    source_text: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    source_language: Mapped[Optional[str]] = mapped_column(String(8), nullable=True)
    channel_message_id: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    reply_to_id: Mapped[Optional[int]] = mapped_column(ForeignKey("messages.id"), nullable=True)
    payload: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    error: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answered_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True), nullable=True)


class ConversationStatus(str, enum.Enum):
    """Who answers a resident: nobody open means the bot does.

    ``waiting`` (for staff) -> ``held`` (by one staff member) -> ``resolved``;
    ``waiting`` or ``held`` -> ``cancelled`` when the resident cancels.
    """

    WAITING = "waiting"
    HELD = "held"
    RESOLVED = "resolved"
    CANCELLED = "cancelled"


OPEN_STATUSES = (ConversationStatus.WAITING.value, ConversationStatus.HELD.value)


class MessageStatus(str, enum.Enum):
    """A message's state.

    In (from a resident): ``received`` -> ``answered`` | ``handed_off`` |
    ``for_staff`` (arrived while staff own the conversation) | ``failed`` |
    ``rejected`` (empty, too long) | ``unanswered`` (a crash left it).
    Out (to a resident): ``sent`` once the channel has it; ``pending`` while it
    waits for the resident's next message (KakaoTalk cannot push) or for its
    sender; ``delivering`` while one response carries it (so no other takes it
    too); ``failed`` when the channel refused it.
    """

    RECEIVED = "received"
    ANSWERED = "answered"
    HANDED_OFF = "handed_off"
    FOR_STAFF = "for_staff"
    FAILED = "failed"
    REJECTED = "rejected"
    UNANSWERED = "unanswered"
    SENT = "sent"
    PENDING = "pending"
    DELIVERING = "delivering"


class Conversation(Base):
    """A hand-off: a resident's conversation taken from the bot to staff.

    The gateway is its only writer. ``open_resident_id`` equals
    ``resident_id`` while the conversation waits or is held and is NULL
    afterwards, so a unique index allows one open conversation per resident
    on SQLite and PostgreSQL alike.
    """

    __tablename__ = "conversations"
    __table_args__ = (
        Index("ix_conversations_status_created", "status", "created_at"),
        UniqueConstraint("open_resident_id", name="uq_conversation_open_resident"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    open_resident_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default=ConversationStatus.WAITING.value)
    channel: Mapped[str] = mapped_column(String(16))
    language: Mapped[Optional[str]] = mapped_column(String(8), nullable=True)
    centre: Mapped[str] = mapped_column(String(64))
    # Why: "requested" (the resident asked), "fallback", "eligibility", "urgent", "error".
    reason: Mapped[str] = mapped_column(String(32))
    topic: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    summary: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    assignee_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    assigned_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    closed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    last_resident_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffUser(Base):
    """A staff member or an admin of the console."""

    __tablename__ = "staff_users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(16))  # staff | admin
    # The language the console speaks and translates into (ko or en).
    ui_language: Mapped[str] = mapped_column(String(8), default="ko")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class StaffSession(Base):
    """A console session (server side). ``id`` is the SHA-256 of the cookie's token.

    A session without a user is the one before sign-in (it carries the
    sign-in form's CSRF token); sign-in replaces it with a new one.
    """

    __tablename__ = "staff_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff_users.id", ondelete="CASCADE"), nullable=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    last_seen_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class AuditEntry(Base):
    """Who did what to which conversation (or account), and when. No message text."""

    __tablename__ = "audit_log"
    __table_args__ = (Index("ix_audit_conversation", "conversation_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    action: Mapped[str] = mapped_column(String(32))
    conversation_id: Mapped[Optional[int]] = mapped_column(Integer, nullable=True)
    detail: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)


class Note(Base):
    """A staff note on a conversation; the resident never sees it."""

    __tablename__ = "notes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    conversation_id: Mapped[int] = mapped_column(ForeignKey("conversations.id", ondelete="CASCADE"))
    user_id: Mapped[Optional[int]] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    text: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class CannedReply(Base):
    """A reply kept in all four languages, sent without machine translation."""

    __tablename__ = "canned_replies"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    title: Mapped[dict[str, str]] = mapped_column(JSON)  # ko, en (the console's languages)
    texts: Mapped[dict[str, str]] = mapped_column(JSON)  # ko, en, ru, vi
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)


class MessageTranslation(Base):
    """A message machine-translated into one language, kept so it is translated once."""

    __tablename__ = "message_translations"
    __table_args__ = (UniqueConstraint("message_id", "target", name="uq_translation_target"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    target: Mapped[str] = mapped_column(String(8))
    text: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    provider: Mapped[str] = mapped_column(String(16))
    error: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Service(Base):
    """An organisation or helpline residents can turn to.

    Names, descriptions and hours are dictionaries keyed by language code.
    """

    __tablename__ = "services"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    # The primary need; ``categories`` lists every need it serves.
    category: Mapped[str] = mapped_column(String(32))
    categories: Mapped[Optional[list[str]]] = mapped_column(JSON, nullable=True)
    district: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    phone: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    website: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    description: Mapped[dict[str, str]] = mapped_column(JSON)
    address: Mapped[Optional[dict[str, str]]] = mapped_column(JSON, nullable=True)
    hours: Mapped[Optional[dict[str, str]]] = mapped_column(JSON, nullable=True)
    # Machine-readable hours in Asia/Seoul (hamkke.hours), for "open now".
    opening_hours: Mapped[Optional[list[str]]] = mapped_column(JSON, nullable=True)
    latitude: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    longitude: Mapped[Optional[float]] = mapped_column(Float, nullable=True)
    languages_served: Mapped[Optional[list[str]]] = mapped_column(JSON, nullable=True)
    # The names residents type for the place ("조선대병원", "адрес 출입국"), any language.
    aliases: Mapped[Optional[list[str]]] = mapped_column(JSON, nullable=True)
    # What it costs, per language, when the sources say ("free"); None when unknown.
    fee: Mapped[Optional[dict[str, str]]] = mapped_column(JSON, nullable=True)
    confidence: Mapped[str] = mapped_column(String(1), default="H")
    confirm_phone: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    source_url: Mapped[str] = mapped_column(Text)
    verified_on: Mapped[dt.date] = mapped_column(Date)
    # Retired by an admin: kept for the record, never offered to residents.
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class Event(Base):
    """Something on in Gwangju: a festival, a commemoration, a fair.

    ``date_precision`` is ``approximate`` when only the usual date is known
    (answers then say the date is to be confirmed).
    """

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_dates", "start_date", "end_date"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64), unique=True)
    topics: Mapped[list[str]] = mapped_column(JSON)
    # The names residents type for the event ("tết", "설날"); the same for every year of a series.
    aliases: Mapped[Optional[list[str]]] = mapped_column(JSON, nullable=True)
    start_date: Mapped[dt.date] = mapped_column(Date)
    end_date: Mapped[dt.date] = mapped_column(Date)
    start_time: Mapped[Optional[str]] = mapped_column(String(5), nullable=True)
    date_precision: Mapped[str] = mapped_column(String(16), default="exact")
    district: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    phone: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    website: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)
    name: Mapped[dict[str, str]] = mapped_column(JSON)
    description: Mapped[dict[str, str]] = mapped_column(JSON)
    venue: Mapped[Optional[dict[str, str]]] = mapped_column(JSON, nullable=True)
    confidence: Mapped[str] = mapped_column(String(1), default="H")
    source_url: Mapped[str] = mapped_column(Text)
    verified_on: Mapped[dt.date] = mapped_column(Date)
    # How the series recurs (the same on every year's record): {"kind": "date", "month": 5, "day": 20},
    # a weekday or lunar rule, {"kind": "none"}; None when nobody said (bot/console/admin_content.py).
    recurrence: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    # Retired by an admin: kept for the record, never offered to residents.
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )


class Program(Base):
    """A benefit programme's rules for one year (hamkke.eligibility applies them)."""

    __tablename__ = "programs"
    __table_args__ = (UniqueConstraint("slug", "year", name="uq_program_year"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    slug: Mapped[str] = mapped_column(String(64))
    year: Mapped[int] = mapped_column(Integer)
    apply_from: Mapped[dt.date] = mapped_column(Date)
    apply_until: Mapped[Optional[dt.date]] = mapped_column(Date, nullable=True)
    phone: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    website: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)
    rules: Mapped[dict[str, Any]] = mapped_column(JSON)
    confidence: Mapped[str] = mapped_column(String(1), default="H")
    source_url: Mapped[str] = mapped_column(Text)
    verified_on: Mapped[dt.date] = mapped_column(Date)
    # Retired by an admin: kept for the record, never offered to residents.
    retired: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    updated_at: Mapped[dt.datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, server_default=func.now()
    )

    def as_record(self) -> dict[str, Any]:
        """The row as the programmes file writes it (what hamkke.eligibility reads)."""
        return {
            "slug": self.slug, "year": self.year, "apply_from": self.apply_from,
            "apply_until": self.apply_until, "phone": self.phone, "website": self.website,
            "rules": self.rules, "confidence": self.confidence,
            "source_url": self.source_url, "verified_on": self.verified_on,
        }


# -- admin: content provenance, FAQ entries, models, the misunderstood inbox ------------------------


class ContentOrigin(Base):
    """Where one content record's current values come from, for import without loss.

    ``kind`` is service, event, program, faq or canned; ``key`` its slug
    (``slug@year`` for a programme, the intent for an FAQ entry).
    ``repo_hash`` is the hash of the repository's record when it was last
    imported; ``edited_at``/``edited_by``/``source`` the last admin edit;
    ``conflict`` the repository's record when it changed after an admin edit
    (shown to admins, never applied silently).
    """

    __tablename__ = "content_origins"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_content_origin"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    key: Mapped[str] = mapped_column(String(96))
    repo_hash: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    edited_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    edited_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    source: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    retired: Mapped[bool] = mapped_column(Boolean, default=False)
    conflict: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)


class ContentState(Base):
    """One row: a number every content change raises, so every gateway reloads what changed."""

    __tablename__ = "content_state"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FaqEntry(Base):
    """One FAQ topic: its answer in every language, with the facts behind it.

    ``intent`` is the classifier's label and the answer's catalog key.
    ``fallback`` maps a language without its own answer to the language
    whose answer it gets ({"vi": "en"}); an entry is complete when every
    language has an answer or a fallback. ``status``: published, draft
    (not answered yet: new, or incomplete) or retired.
    """

    __tablename__ = "faq_entries"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intent: Mapped[str] = mapped_column(String(64), unique=True)
    answers: Mapped[dict[str, str]] = mapped_column(JSON)
    # The topic's short name per language (a "did you mean…?" button; catalog key topic_<intent>).
    labels: Mapped[Optional[dict[str, str]]] = mapped_column(JSON, nullable=True)
    fallback: Mapped[Optional[dict[str, str]]] = mapped_column(JSON, nullable=True)
    key_facts: Mapped[Optional[list[str]]] = mapped_column(JSON, nullable=True)
    sources: Mapped[Optional[list[str]]] = mapped_column(JSON, nullable=True)
    confidence: Mapped[str] = mapped_column(String(1), default="M")
    verified_on: Mapped[dt.date] = mapped_column(Date)
    review_days: Mapped[int] = mapped_column(Integer, default=365)
    status: Mapped[str] = mapped_column(String(16), default="published")
    updated_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    updated_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class FaqExample(Base):
    """An example question added by an admin (the repository's are in ``nlu/``).

    ``model_tag`` is the model first trained with it (None: waiting for a retraining).
    """

    __tablename__ = "faq_examples"
    __table_args__ = (UniqueConstraint("intent", "language", "text", name="uq_faq_example"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    intent: Mapped[str] = mapped_column(String(64))
    language: Mapped[str] = mapped_column(String(8))
    text: Mapped[str] = mapped_column(Text)
    origin: Mapped[str] = mapped_column(String(16), default="admin")  # admin | inbox
    added_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    model_tag: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)


class ModelVersion(Base):
    """A trained Rasa model: what data it was trained on, how it scored, whether it serves.

    ``status``: candidate (trained, being checked), refused (the quality
    check failed), live (serving; exactly one), previous (served before, can
    be restored), retired. ``rasa_url``: where the live model's Rasa listens
    (the gateways read it to know where to send messages).
    """

    __tablename__ = "model_versions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    tag: Mapped[str] = mapped_column(String(64), unique=True)
    path: Mapped[str] = mapped_column(Text)
    data_version: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16))
    rasa_url: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)
    scores: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    note: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    created_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    published_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True), nullable=True)


class ModelJob(Base):
    """A retraining or a restore, done by the worker, with its visible progress.

    ``status``: queued, running, done, refused (quality check), failed.
    ``message``: what happened, in plain words (English and Korean in ``detail``).
    """

    __tablename__ = "model_jobs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))  # train | restore
    status: Mapped[str] = mapped_column(String(16), default="queued")
    progress: Mapped[int] = mapped_column(Integer, default=0)
    stage: Mapped[str] = mapped_column(String(32), default="queued")
    message: Mapped[Optional[str]] = mapped_column(Text, nullable=True)
    detail: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    model_tag: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    requested_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    finished_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True), nullable=True)


class Feedback(Base):
    """A resident said an answer did not help."""

    __tablename__ = "feedback"
    __table_args__ = (UniqueConstraint("message_id", name="uq_feedback_message"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(16), default="not_helpful")
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class InboxItem(Base):
    """A resident's message the bot misunderstood, for admins to learn from.

    ``reason``: fallback, suggested (the bot offered topics), not_helpful, handed_off.
    ``guesses``: the bot's best guesses [{"intent", "score"}]. ``status``: new,
    assigned (became an example of ``intent``), new_entry, dismissed.
    """

    __tablename__ = "inbox_items"
    __table_args__ = (UniqueConstraint("message_id", name="uq_inbox_message"),
                      Index("ix_inbox_status_language", "status", "language"))

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id", ondelete="CASCADE"))
    language: Mapped[Optional[str]] = mapped_column(String(8), nullable=True)
    text: Mapped[str] = mapped_column(Text)  # masked, as the message is stored
    reason: Mapped[str] = mapped_column(String(16))
    topic: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)  # what the bot answered
    guesses: Mapped[Optional[list[dict[str, Any]]]] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="new")
    intent: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    resolved_by: Mapped[Optional[int]] = mapped_column(ForeignKey("staff_users.id"), nullable=True)
    resolved_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
