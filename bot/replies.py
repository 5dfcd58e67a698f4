"""Channel-neutral replies, rendered from catalog keys in one language."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Optional

from hamkke import SUPPORTED_LANGUAGES
from hamkke.i18n import MissingMessage, has, t


@dataclass(frozen=True)
class Button:
    """A choice offered to the resident. ``payload`` never comes from user text."""

    label: str
    payload: str


@dataclass
class Reply:
    """What the assistant answers to one message."""

    language: str
    texts: list[str] = field(default_factory=list)
    buttons: list[Button] = field(default_factory=list)
    handed_off: bool = False

    @property
    def text(self) -> str:
        """All parts of the answer, as one text."""
        return "\n\n".join(self.texts)

    def add_buttons(self, buttons: Iterable[Button]) -> None:
        """Offer more buttons, skipping a payload already offered."""
        seen = {b.payload for b in self.buttons}
        for button in buttons:
            if button.payload not in seen:
                self.buttons.append(button)
                seen.add(button.payload)


def _pick(value: Any, lang: str) -> Optional[str]:
    if isinstance(value, dict):
        return value.get(lang) or value.get("en") or next(iter(value.values()), None)
    return value if isinstance(value, str) else None


def render_service(service: dict[str, Any], lang: str) -> str:
    """A service card: name, description, phone, hours, address, website."""
    lines = [
        t("service_card", lang, name=_pick(service.get("name"), lang) or "",
          description=_pick(service.get("description"), lang) or "")
    ]
    for label, value in (
        ("label_phone", service.get("phone")),
        ("label_hours", _pick(service.get("hours"), lang)),
        ("label_address", _pick(service.get("address"), lang)),
        ("label_website", service.get("website")),
    ):
        if value:
            lines.append(f"{t(label, lang)}: {value}")
    if service.get("confidence") == "L":
        lines.append(t("label_unconfirmed", lang, phone=service.get("confirm_phone") or "1345"))
    return "\n".join(lines)


def render_message(message: dict[str, Any], lang: str) -> tuple[str, list[Button], bool]:
    """Render one structured message from Rasa or an action.

    Returns the text, the buttons and whether it records a hand-off.
    """
    key = message.get("key")
    args = dict(message.get("args") or {})
    handed_off = bool(args.pop("handoff", False))
    if key == "service_card" and isinstance(args.get("service"), dict):
        text = render_service(args["service"], lang)
    elif isinstance(key, str) and has(key, lang):
        text = t(key, lang, **args)
    else:
        raise MissingMessage(f"unknown message {key!r}")
    buttons = [
        Button(t(b["key"], lang), b["payload"])
        for b in message.get("buttons") or []
        if isinstance(b, dict) and isinstance(b.get("key"), str) and isinstance(b.get("payload"), str)
    ]
    return text, buttons, handed_off


def simple(key: str, lang: str, buttons: Iterable[Button] = (), **args: Any) -> Reply:
    """A one-message reply straight from the catalog."""
    return Reply(language=lang, texts=[t(key, lang, **args)], buttons=list(buttons))


def human_button(lang: str) -> Button:
    """The "talk to a person" button."""
    return Button(t("button_human", lang), "/request_human")


def language_buttons() -> list[Button]:
    """One button per language, each in its own language."""
    return [Button(t("language_name_self", lang), f"lang:{lang}") for lang in SUPPORTED_LANGUAGES]
