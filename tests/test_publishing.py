"""What a retraining is trained on, and when a new model is refused (no Rasa needed)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import yaml

from hamkke.config import PROJECT_ROOT
from hamkke.db.models import FaqExample
from hamkke.publishing import Additions, build_training_data, compare, heldout_version, model_tag

CONFIG = PROJECT_ROOT / "config.yml"


def test_a_language_worse_beyond_the_tolerance_refuses_the_model_in_both_languages_of_the_console() -> None:
    live = {"heldout": {"en": 96.2, "ru": 95.8}, "dialogues": {"en": 73.2, "ru": 74.3}}
    assert compare(live, {"heldout": {"en": 95.3, "ru": 96.0}}, {"heldout": 1.0}).ok
    verdict = compare(live, {"heldout": {"en": 96.5, "ru": 94.7}, "dialogues": {"en": 70.7, "ru": 74.3}},
                      {"heldout": 1.0, "dialogues": 2.9})
    assert not verdict.ok
    assert verdict.worse == ["ru: held-out questions understood 94.7% (was 95.8%)"]
    assert verdict.worse_ko == ["ru: 평가 질문 정답률 94.7% (이전 95.8%)"]
    # A conversation lost beyond one conversation's worth is refused too.
    assert not compare(live, {"dialogues": {"en": 67.0}}, {"dialogues": 2.9}).ok


def _example(i: int, intent: str, lang: str, text: str) -> FaqExample:
    return FaqExample(id=i, intent=intent, language=lang, text=text, origin="admin")


def test_training_data_adds_the_admins_examples_and_new_topics_beside_the_repository(tmp_path: Path) -> None:
    adds = Additions(
        entries={"faq_garbage": "published", "faq_old_furniture": "published", "faq_half_written": "draft"},
        examples=[_example(1, "faq_garbage", "ru", "как избавиться от шкафа"),
                  _example(2, "faq_old_furniture", "en", "how do I throw away a sofa"),
                  _example(3, "faq_half_written", "ko", "아직 안 쓴 주제"),
                  _example(4, "faq_visa_extension", "ru", "где продлить визу")])  # already in nlu/
    data = build_training_data(adds, tmp_path / "job", CONFIG)
    examples = yaml.safe_load((data.folder / "data" / "admin_examples.yml").read_text())
    written = {block["intent"]: block["examples"] for block in examples["nlu"]}
    assert set(written) == {"faq_garbage", "faq_old_furniture"}
    assert "как избавиться от шкафа" in written["faq_garbage"]
    assert data.examples == [1, 2, 4] and data.skipped == ["faq_half_written: not published yet"]
    domain = yaml.safe_load(data.domain.read_text())
    assert data.new_intents == ["faq_old_furniture"] and "faq_old_furniture" in domain["intents"]
    assert domain["responses"]["utter_faq_old_furniture"] == [{"custom": {"key": "faq_old_furniture"}}]
    rules = yaml.safe_load((data.folder / "data" / "admin_rules.yml").read_text())["rules"]
    assert rules == [{"rule": "FAQ faq_old_furniture",
                      "steps": [{"intent": "faq_old_furniture"}, {"action": "utter_faq_old_furniture"}]}]
    # The data version moves with the examples; the tag says when and from what.
    again = build_training_data(Additions(adds.entries, adds.examples[:1]), tmp_path / "job2", CONFIG)
    assert again.version != data.version
    tag = model_tag(data.version, dt.datetime(2026, 12, 6, 4, 0, tzinfo=dt.timezone.utc))
    assert tag == f"m20261206-040000-{data.version[:8]}"
    assert len(heldout_version()) == 16
