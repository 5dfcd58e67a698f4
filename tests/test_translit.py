"""Russian typed in Latin letters is read as Russian; English and Vietnamese are left alone."""

from __future__ import annotations

import re

import pytest
import yaml

from hamkke.config import PROJECT_ROOT
from hamkke.langid import detect
from hamkke.translit import is_translit_russian, to_cyrillic


@pytest.mark.parametrize(("text", "cyrillic"), [
    ("pomogite menya bjut", "помогите меня бьют"),
    ("skolko stoit", "сколко стоит"),
    ("vizu prosrochil chto budet", "визу просрочил что будет"),
    ("poteryal 외국인등록증 vchera", "потерял 외국인등록증 вчера"),
    ("a perevodchik v bolnice budet? on po koreiski ploho", "а переводчик в болнице будет? он по кореиски плохо"),
])
def test_translit_is_written_in_cyrillic_and_detected_as_russian(text: str, cyrillic: str) -> None:
    assert is_translit_russian(text)
    assert to_cyrillic(text) == cyrillic
    assert detect(to_cyrillic(text)).language == "ru"


@pytest.mark.parametrize("text", [
    "hello how are you", "my boss not pay salary", "where is it", "toi muon gia han visa", "o dau vay",
    "bye bye hamkke", "tet o gwangju", "Я уже здесь", "tôi muốn hỏi",
])
def test_english_vietnamese_and_cyrillic_are_left_alone(text: str) -> None:
    assert not is_translit_russian(text)


def test_few_training_messages_of_other_languages_look_like_it() -> None:
    """Over the English and Vietnamese training examples (9,000), fewer than 0.2% are taken for it."""
    for lang in ("en", "vi"):
        lines = [line.strip()[2:].strip() for path in (PROJECT_ROOT / "nlu" / lang).glob("*.yml")
                 for block in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]
                 for line in (block.get("examples") or "").splitlines() if line.strip().startswith("- ")]
        taken = [line for line in lines if is_translit_russian(line) and not re.search(
            r"privet|zdravstv|spasibo", line)]  # the English data holds a few real Russian greetings
        assert len(taken) <= len(lines) * 0.002, taken
