"""Tables. Portable SQL only: SQLite by default, PostgreSQL when configured.

Message text is always stored masked (:func:`hamkke.privacy.mask`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from sqlalchemy import (
    JSON,
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
        UniqueConstraint("resident_id", "channel_message_id", name="uq_message_channel_id"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    direction: Mapped[str] = mapped_column(String(3))
    text: Mapped[str] = mapped_column(Text)
    language: Mapped[Optional[str]] = mapped_column(String(16), nullable=True)
    # in: received -> answered | handed_off | failed | rejected
    status: Mapped[str] = mapped_column(String(16))
    channel_message_id: Mapped[Optional[str]] = mapped_column(String(64), nullable=True)
    reply_to_id: Mapped[Optional[int]] = mapped_column(ForeignKey("messages.id"), nullable=True)
    payload: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    error: Mapped[Optional[str]] = mapped_column(String(200), nullable=True)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    answered_at: Mapped[Optional[dt.datetime]] = mapped_column(DateTime(timezone=True), nullable=True)


class HandoffRequest(Base):
    """A resident's request to talk to a person, waiting for staff."""

    __tablename__ = "handoff_requests"
    __table_args__ = (Index("ix_handoff_status", "status"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id", ondelete="CASCADE"))
    language: Mapped[Optional[str]] = mapped_column(String(8), nullable=True)
    reason: Mapped[str] = mapped_column(String(32))
    summary: Mapped[Optional[dict[str, Any]]] = mapped_column(JSON, nullable=True)
    status: Mapped[str] = mapped_column(String(16), default="open")
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
    confidence: Mapped[str] = mapped_column(String(1), default="H")
    confirm_phone: Mapped[Optional[str]] = mapped_column(String(32), nullable=True)
    source_url: Mapped[str] = mapped_column(Text)
    verified_on: Mapped[dt.date] = mapped_column(Date)
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
