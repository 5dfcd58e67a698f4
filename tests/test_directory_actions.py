"""The service finder and the events calendar against trackers, on real SQLite and a frozen clock."""

from __future__ import annotations

from typing import Any, Optional

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.directory import ActionFindServices, ActionListEvents
from bot.replies import render_message
from hamkke.content import load_services
from hamkke.db.session import Database


def tracker(text: str, lang: str, intent: str, entities: Optional[list[dict[str, Any]]] = None,
            location: Optional[dict[str, float]] = None) -> Tracker:
    metadata: dict[str, Any] = {"lang": lang, "channel": "telegram" if location else "kakao"}
    if location:
        metadata["location"] = location
    parse = {"text": text, "intent": {"name": intent, "confidence": 0.9}, "entities": entities or [],
             "metadata": metadata}
    return Tracker.from_dict({"sender_id": "r1", "slots": {}, "latest_message": parse,
                              "events": [{"event": "user", "text": text, "parse_data": parse}],
                              "active_loop": {}, "latest_action_name": "action_listen"})


async def run(action: Any, t: Tracker, lang: str) -> list[str]:
    dispatcher = CollectingDispatcher()
    await action.run(dispatcher, t, {})
    return [render_message(m["custom"], lang)[0] for m in dispatcher.messages]


async def test_finder_without_a_need_asks_for_one(action_db: Database) -> None:
    dispatcher = CollectingDispatcher()
    await ActionFindServices().run(dispatcher, tracker("/find_service", "vi", "find_service"), {})
    (message,) = dispatcher.messages
    assert message["custom"]["key"] == "finder_ask_need"
    _text, buttons, _ = render_message(message["custom"], "vi")
    assert len(buttons) == 9 and all(len(b.label) <= 14 for b in buttons)


async def test_finder_by_district_and_language_in_russian(action_db: Database) -> None:
    (text,) = await run(ActionFindServices(), tracker("какие центры в Квансане говорят по-русски", "ru",
                                                      "find_service"), "ru")
    assert text.startswith("Я нашёл") and "Телефон" in text, text
    assert "русский" in text


async def test_finder_by_category_button(action_db: Database) -> None:
    dispatcher = CollectingDispatcher()
    await ActionFindServices().run(dispatcher, tracker('/find_service{"category":"health"}', "en", "find_service",
                                                       [{"entity": "category", "value": "health"}]), {})
    (message,) = dispatcher.messages
    shown = [card["slug"] for card in message["custom"]["args"]["services"]]
    # Every card shown is a health service (the names need not contain the word "health").
    categories = {record["slug"]: record["categories"] for record in load_services()}
    assert shown and all("health" in categories[slug] for slug in shown), shown


async def test_open_now_differs_between_sunday_afternoon_and_monday_night(action_db: Database, frozen: Any) -> None:
    frozen("2026-11-22T15:00:00+09:00")  # Sunday 15:00: the migrant health clinic is open
    (sunday,) = await run(ActionFindServices(), tracker("hospital open now", "en", "find_service"), "en")
    frozen("2026-11-23T23:30:00+09:00")  # Monday 23:30: only round-the-clock lines
    (night,) = await run(ActionFindServices(), tracker("hospital open now", "en", "find_service"), "en")
    assert sunday != night
    assert "1339" in night or "119" in night, night


async def test_nearest_first_with_a_shared_location(action_db: Database) -> None:
    wolgok = {"latitude": 35.1705, "longitude": 126.8085}  # Goryeoin Village
    (text,) = await run(ActionFindServices(), tracker("", "ru", "find_service", location=wolgok), "ru")
    cards = [card for card in text.split("\n\n") if card.startswith("▪")]
    assert cards and "월곡" in cards[0], text  # the village's own places first
    # Their street addresses are unknown (only the neighbourhood): no distance is made up for them.
    assert not any("км" in card for card in cards if "월곡" in card), text


async def test_a_distance_only_for_a_street_address(action_db: Database) -> None:
    from hamkke.content import load_services
    from hamkke.db.models import Service
    from hamkke.directory import service_distance

    near = (35.1705, 126.8085)
    by_slug = {s["slug"]: s for s in load_services()}
    hospital = Service(**{k: by_slug["chonnam-national-university-hospital"][k]
                          for k in ("slug", "address", "latitude", "longitude")})
    village = Service(**{k: by_slug["goryeoin-village-support-center"][k] for k in ("slug", "address", "latitude",
                                                                                    "longitude")})
    distance = service_distance(hospital, near)
    assert distance is not None and distance > 5
    assert village.latitude is not None and service_distance(village, near) is None


async def test_events_this_month_never_offers_past_events(action_db: Database, frozen: Any) -> None:
    frozen("2026-11-23T12:00:00+09:00")
    texts = await run(ActionListEvents(), tracker("что будет в этом месяце?", "ru", "faq_events"), "ru")
    dates = [line for text in texts for line in text.splitlines() if line.startswith("• ")]
    # The Biennale ended on 15 November; Foreign Students' Day 2025 is long past.
    assert dates and all("2027" in line for line in dates), dates  # the next events, in 2027


async def test_events_in_may_in_vietnamese_with_vietnamese_dates(action_db: Database, frozen: Any) -> None:
    frozen("2026-03-10T10:00:00+09:00")
    (text,) = await run(ActionListEvents(), tracker("tháng 5 có sự kiện gì", "vi", "faq_events"), "vi")
    assert "tháng 5" in text or "thg 5" in text, text
    dates = [line for line in text.splitlines() if line.startswith("• ")]
    assert dates and all("2026" in line and "2025" not in line for line in dates), dates


async def test_events_in_korean_this_week_when_nothing_is_on(action_db: Database, frozen: Any) -> None:
    frozen("2026-12-02T10:00:00+09:00")
    texts = await run(ActionListEvents(), tracker("이번주 행사 있어?", "ko", "faq_events"), "ko")
    assert texts[0].startswith("2026년 11월 30일") or "없" in texts[0], texts
    assert any("2027년" in text for text in texts)


async def test_events_by_topic(action_db: Database, frozen: Any) -> None:
    frozen("2026-03-10T10:00:00+09:00")
    (text,) = await run(ActionListEvents(), tracker("какие памятные мероприятия в мае?", "ru", "faq_events"), "ru")
    names = [line for line in text.splitlines() if line.startswith("• ")]
    # Only the 5·18 commemorations, not World Day or the human-rights forum.
    assert names and all("18" in line for line in names), names
    (culture,) = await run(ActionListEvents(), tracker("any art exhibitions coming up?", "en", "faq_events"), "en")
    assert "Biennale" in culture, culture
