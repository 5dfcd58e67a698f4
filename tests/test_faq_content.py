"""The 40 FAQ answers: four languages, the key facts, sources, domain wiring."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from hamkke import SUPPORTED_LANGUAGES
from hamkke.config import PROJECT_ROOT
from hamkke.i18n import t
from hamkke.langid import detect

FACTS = yaml.safe_load((PROJECT_ROOT / "data" / "faq.yml").read_text(encoding="utf-8"))
DOMAIN = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text(encoding="utf-8"))


def test_forty_topics_each_answered_by_the_domain() -> None:
    topics = {record["intent"] for record in FACTS}
    assert len(topics) == len(FACTS) == 40
    responses = {name.removeprefix("utter_") for name in DOMAIN["responses"] if name.startswith("utter_faq_")}
    assert responses == topics and topics <= set(DOMAIN["intents"])


@pytest.mark.parametrize("record", FACTS, ids=lambda r: r["intent"])
def test_answer_states_its_key_facts_in_every_language(record: dict) -> None:
    key = record["intent"]
    assert record["key_facts"] and record["sources"]
    assert all(source.startswith("http") for source in record["sources"])
    assert isinstance(record["verified_on"], dt.date) and record["confidence"] in ("H", "M", "L")
    for lang in SUPPORTED_LANGUAGES:
        answer = t(key, lang)
        for fact in record["key_facts"]:
            assert fact in answer, (lang, fact)
        assert detect(answer).language == lang, (lang, answer[:80])


@pytest.mark.parametrize("record", [r for r in FACTS if r["confidence"] == "L"], ids=lambda r: r["intent"])
def test_unconfirmed_answers_give_a_number_to_confirm(record: dict) -> None:
    key = record["intent"]
    for lang in SUPPORTED_LANGUAGES:
        answer = t(key, lang)
        assert any(number in answer for number in ("1345", "1544-3412", "youthculturepass.or.kr")), (lang, answer)
