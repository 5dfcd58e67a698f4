"""make eval FRACTION=…: the sample both pipelines are trained on."""

from __future__ import annotations

from pathlib import Path

import yaml

from bench.sample import examples, sample, write
from hamkke.config import PROJECT_ROOT


def test_the_sample_takes_the_fraction_of_every_intent_in_every_language(tmp_path: Path) -> None:
    found = examples(PROJECT_ROOT / "nlu")
    chosen = sample(found, 0.25)
    assert chosen.keys() == found.keys()
    for key, texts in chosen.items():
        assert set(texts) <= set(found[key])
        assert len(texts) == max(1, -(-len(found[key]) // 4)), key
    # The same sample every time, and a larger fraction keeps what a smaller one took.
    assert sample(found, 0.25) == chosen
    larger = sample(found, 0.5)
    assert all(set(chosen[key]) <= set(larger[key]) for key in found)

    total = write(chosen, tmp_path / "nlu")
    assert total == sum(map(len, chosen.values()))
    for lang in ("en", "ru", "vi", "ko"):
        blocks = yaml.safe_load((tmp_path / "nlu" / lang / "sample.yml").read_text(encoding="utf-8"))["nlu"]
        for block in blocks:
            assert block["metadata"] == {"lang": lang}
            lines = [line[2:] for line in block["examples"].splitlines()]
            assert lines == chosen[(lang, block["intent"])]
