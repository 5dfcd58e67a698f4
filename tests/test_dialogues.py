"""Whole conversations end to end (tests/dialogues/, bench/dialogues.py): the real Rasa behind
POST /kakao/skill, the clock frozen on the day the writers wrote for.

The floors are a few points under what the assistant reaches today, so that a
change that makes conversations worse fails; the README and issue 12 give the
figures and the aim (90% in every language).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from bench import dialogues
from hamkke.config import PROJECT_ROOT
from tests.stack import Stack, running_stack

pytestmark = pytest.mark.e2e

# Share of fully satisfied conversations (%), per language: floors.
# Measured on 2026-12-08 (session 20): en 95.1, ru 100.0, vi 97.4, ko 100.0; urgent first line 100% in every language.
# (Each floor lets two conversations of the language go, for a model trained on another machine.)
FLOORS = {"en": 90.0, "ru": 94.0, "vi": 94.0, "ko": 94.0}
URGENT_FLOOR = 100.0
# The held-out set, written on 2026-12-06 by writers whose conversations were never read.
HELD_OUT = PROJECT_ROOT / "bench" / "dialogues-fresh"
# Measured on 2026-12-07 (session 14): en 66.7, ru 63.3, vi 66.7, ko 70.0; urgent first line 5/5, 4/4, 4/4, 4/4.
# Session 15 (2026-12-07): en 66.7, ru 70.0, vi 70.0, ko 73.3. Session 17 (2026-12-07): en 70.0, ru 70.0, vi 70.0,
# ko 73.3.
HELD_OUT_FLOORS = {"en": 63.0, "ru": 63.0, "vi": 63.0, "ko": 66.0}
HELD_OUT_URGENT_FLOOR = 100.0
# A second held-out set, written on 2026-12-07 (session 14) by four new writers, after that session's changes;
# its first and only read is the score. Measured then: en 43.3, ru 53.3, vi 56.7, ko 40.0; urgent first line
# en 5 of 6, ru 8 of 8, vi 6 of 6, ko 4 of 5 (which turns were missed is not read: the floors record it).
# Session 15 (2026-12-07), still only the score read: en 50.0, ru 60.0, vi 60.0, ko 50.0; urgent unchanged.
# Session 17 (2026-12-07), score only: en 53.3, ru 60.0, vi 66.7, ko 50.0; urgent unchanged.
HELD_OUT_2 = PROJECT_ROOT / "bench" / "dialogues-fresh2"
HELD_OUT_2_FLOORS = {"en": 46.0, "ru": 53.0, "vi": 60.0, "ko": 43.0}
HELD_OUT_2_URGENT_FLOORS = {"en": 83.0, "ru": 100.0, "vi": 100.0, "ko": 80.0}
# The development sets (their failures are read): floors too, so that what was mended stays mended.
# Measured on 2026-12-07 (session 13): dialogues-dev en 83.3, ru 83.3, vi 86.7, ko 86.7;
# dialogues-dev2 en 78.1, ru 81.2, vi 81.2, ko 62.5 (first run, before any change: 31.2, 46.9, 62.5, 37.5);
# dialogues-dev3 en 40.0, ru 40.0, vi 46.7, ko 60.0 (first run, after dev2's changes: 20.0, 26.7, 36.7, 33.3);
# dialogues-dev4 (session 14, 2026-12-07): en 70.0, ru 56.7, vi 43.3, ko 60.0 (first run: 43.3, 43.3, 30.0, 36.7);
# urgent first line 100% in all four.
# Session 15 (2026-12-07): dev 83.3, 83.3, 86.7, 86.7; dev2 81.2, 87.5, 87.5, 71.9; dev3 60.0, 50.0, 53.3, 66.7;
# dev4 80.0, 73.3, 56.7, 70.0 (en, ru, vi, ko).
# Session 16 (2026-12-07): dev4 83.3, 73.3, 56.7, 73.3; dialogues-dev5 55.0, 55.0, 75.0, 70.0 (first run: 40.0, 55.0,
# 50.0, 55.0; 20 conversations per language, so a floor two conversations under is 10 points under).
# Session 17 (2026-12-07): dev 86.7, 83.3, 86.7, 86.7; dev2 81.2, 87.5, 90.6, 78.1; dev3 70.0, 56.7, 53.3, 66.7;
# dev4 83.3, 90.0, 60.0, 73.3; dev5 60.0, 55.0, 75.0, 85.0.
DEVELOPMENT = {
    PROJECT_ROOT / "bench" / "dialogues-dev": {"en": 80.0, "ru": 76.0, "vi": 80.0, "ko": 80.0},
    PROJECT_ROOT / "bench" / "dialogues-dev2": {"en": 75.0, "ru": 81.0, "vi": 84.0, "ko": 71.0},
    PROJECT_ROOT / "bench" / "dialogues-dev3": {"en": 63.0, "ru": 50.0, "vi": 46.0, "ko": 60.0},
    PROJECT_ROOT / "bench" / "dialogues-dev4": {"en": 76.0, "ru": 83.0, "vi": 53.0, "ko": 66.0},
    PROJECT_ROOT / "bench" / "dialogues-dev5": {"en": 50.0, "ru": 45.0, "vi": 65.0, "ko": 75.0},
}


@pytest.fixture(scope="module")
def december(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    yield from running_stack(tmp_path_factory, frozen_now=dialogues.FROZEN_NOW)


def test_the_conversation_sets_are_big_enough() -> None:
    for lang in FLOORS:
        conversations = dialogues.load(lang)
        assert len(conversations) >= 30, lang
        assert len({c["id"] for c in conversations}) == len(conversations)
        assert all(2 <= len(c["turns"]) <= 6 for c in conversations)


def test_conversations_leave_residents_satisfied(december: Stack) -> None:
    results = dialogues.run(december.assistant.gateway_url)
    print("\n" + dialogues.report(results))
    table = dialogues.summary(results)
    for lang, floor in FLOORS.items():
        assert table[lang]["satisfied"] >= floor, (lang, table[lang])
        assert table[lang]["urgent_first_line"] >= URGENT_FLOOR, (lang, table[lang])


def test_held_out_conversations_too(december: Stack) -> None:
    """The held-out sets (bench/dialogues-fresh, -fresh2): only their scores are shown, never which conversations
    fail."""
    results = dialogues.run(december.assistant.gateway_url, folder=HELD_OUT)
    print("\n" + dialogues.report(results))
    table = dialogues.summary(results)
    for lang, floor in HELD_OUT_FLOORS.items():
        assert table[lang]["conversations"] >= 30, lang
        assert table[lang]["satisfied"] >= floor, (lang, table[lang]["satisfied"])
        assert table[lang]["urgent_first_line"] >= HELD_OUT_URGENT_FLOOR, (lang, table[lang]["urgent_first_line"])
    second = dialogues.summary(dialogues.run(december.assistant.gateway_url, folder=HELD_OUT_2))
    print("\n" + "\n".join(f"second held-out {lang}: {row}" for lang, row in second.items()))
    for lang, floor in HELD_OUT_2_FLOORS.items():
        assert second[lang]["conversations"] >= 30, lang
        assert second[lang]["satisfied"] >= floor, (lang, second[lang]["satisfied"])
        assert second[lang]["urgent_first_line"] >= HELD_OUT_2_URGENT_FLOORS[lang], (lang, second[lang])


def test_development_conversations_keep_what_was_mended(december: Stack) -> None:
    for folder, floors in DEVELOPMENT.items():
        results = dialogues.run(december.assistant.gateway_url, folder=folder)
        print(f"\n{folder.name}\n" + dialogues.report(results))
        table = dialogues.summary(results)
        for lang, floor in floors.items():
            assert table[lang]["conversations"] >= 20, (folder.name, lang)
            assert table[lang]["satisfied"] >= floor, (folder.name, lang, table[lang]["satisfied"])
            assert table[lang]["urgent_first_line"] >= URGENT_FLOOR, (folder.name, lang, table[lang])


def test_a_web_address_is_in_no_language() -> None:
    # The checker reads the answer's language from its letters; a card's link is not Korean's or English's.
    answer = "다누리콜센터 1577-1366\n전화: 1577-1366\n웹사이트\nhttps://www.liveinkorea.kr"
    assert dialogues.answer_language(answer) == "ko"
