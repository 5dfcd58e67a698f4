"""The Rasa project itself: data and domain validate, data is four-language."""

from __future__ import annotations

import subprocess
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from hamkke import SUPPORTED_LANGUAGES
from hamkke.config import PROJECT_ROOT
from hamkke.folding import fold
from hamkke.privacy import normalise
from hamkke.training import RASA_BIN, rasa_env


@pytest.mark.slow
def test_rasa_data_validate_passes() -> None:
    result = subprocess.run(
        [str(RASA_BIN), "data", "validate", "--data", "nlu", "stories", "--fail-on-warnings"],
        cwd=PROJECT_ROOT, env=rasa_env(), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]


def _blocks(path: Path) -> Iterator[tuple[dict, list[str]]]:
    """Each block of an NLU file, with its example texts."""
    for block in yaml.safe_load(path.read_text())["nlu"]:
        lines = (line.strip() for line in block.get("examples", "").splitlines())
        yield block, [line[2:] for line in lines if line.startswith("- ")]


def _examples() -> Counter[tuple[str, str]]:
    counts: Counter[tuple[str, str]] = Counter()
    for path in (PROJECT_ROOT / "nlu").rglob("*.yml"):
        lang = path.parent.name
        for block, texts in _blocks(path):
            if "intent" in block:
                assert block["metadata"]["lang"] == lang, path
                counts[(block["intent"], lang)] += len(texts)
    return counts


def test_every_intent_has_examples_in_every_language() -> None:
    counts = _examples()
    domain = yaml.safe_load((PROJECT_ROOT / "domain.yml").read_text())
    intents = [i for i in domain["intents"] if i != "nlu_fallback"]
    assert len(intents) >= 49
    for intent in intents:
        for lang in SUPPORTED_LANGUAGES:
            assert counts[(intent, lang)] >= 20, (intent, lang, counts[(intent, lang)])


def _texts(paths: list[Path]) -> set[str]:
    """Every example of these files, folded and lower-cased as the NLU sees it."""
    return {fold(normalise(text)).lower().strip(" ?!.") for path in paths for _, texts in _blocks(path)
            for text in texts}


def test_no_held_out_example_is_a_training_example() -> None:
    held_out = _texts(sorted((PROJECT_ROOT / "tests" / "nlu").glob("heldout_*.yml")))
    training = _texts(sorted((PROJECT_ROOT / "nlu").rglob("*.yml")))
    assert len(held_out) >= 15 * 4 * 50
    assert not held_out & training, sorted(held_out & training)[:20]


def test_no_training_example_starts_with_a_slash() -> None:
    for path in (PROJECT_ROOT / "nlu").rglob("*.yml"):
        for block in yaml.safe_load(path.read_text())["nlu"]:
            for line in block.get("examples", "").splitlines():
                assert not line.strip().removeprefix("- ").startswith("/"), (path, line)


# At most this share of the conversation tests may fail: their user messages
# go through the NLU, whose held-out accuracy is below 100% (see
# tests/test_nlu_quality.py). The failing stories are printed.
MAX_FAILED_CONVERSATIONS = 0.05


@pytest.mark.slow
def test_conversation_tests_pass(tmp_path: Path) -> None:
    """`rasa test core` on tests/conversations: every intent's happy path, two or more languages."""
    model = PROJECT_ROOT / "models" / "hamkke.tar.gz"
    if not model.exists():
        pytest.fail("no trained model: run the tests through `make test`, which trains it")
    result = subprocess.run(
        [str(RASA_BIN), "test", "core", "--model", str(model), "--stories", "tests/conversations",
         "--out", str(tmp_path), "--no-plot"],
        cwd=PROJECT_ROOT, env=rasa_env(), capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    stories = yaml.safe_load((PROJECT_ROOT / "tests" / "conversations" / "test_happy_paths.yml").read_text())
    total = len(stories["stories"])
    failed_file = tmp_path / "failed_test_stories.yml"
    failed_text = failed_file.read_text() if failed_file.exists() else ""
    failed = (yaml.safe_load(failed_text) or {}).get("stories") or [] if failed_text.strip() else []
    print(f"{total - len(failed)} of {total} conversation tests pass")
    if failed:
        print(failed_text[:4000])
    assert total >= 98 and len(failed) <= MAX_FAILED_CONVERSATIONS * total, failed_text[:4000]
