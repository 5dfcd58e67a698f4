"""CI keeps the NLU's quality: the trained model on the held-out set.

The model `make test` trains (models/hamkke.tar.gz) is scored on
tests/nlu/heldout_*.yml, which no training example was written from. The
floors sit a few points under what the model reaches (`make eval` prints
the full figures), so a regression in data or pipeline fails CI.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from hamkke.config import PROJECT_ROOT
from hamkke.training import RASA_PYTHON, rasa_env

MODEL = PROJECT_ROOT / "models" / "hamkke.tar.gz"
# Reached on 2026-12-01 (make eval, 53 intents, 3,392 held-out examples, a
# fallback counted as a miss): en 96.5, ru 95.6, vi 96.1, ko 96.0; see the
# closing note of issue 3. The model is the one `make run` serves (it trains
# in about two minutes), so CI checks the real thing. Training is
# deterministic (a fixed seed, one solver), so the floors sit two to three
# points under, to stop regressions in data or pipeline, not to absorb noise.
FLOORS = {"en": 0.94, "ru": 0.93, "vi": 0.935, "ko": 0.935}
# The goal: the worst language within 3 points of the best.
MAX_SPREAD = 0.03


@pytest.mark.slow
def test_held_out_accuracy_per_language(tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.fail("no trained model: run the tests through `make test`, which trains it")
    out = tmp_path / "eval.json"
    result = subprocess.run(
        [str(RASA_PYTHON), "-m", "bench.nlu_eval", str(MODEL), "--json", str(out)],
        cwd=PROJECT_ROOT, env=rasa_env(), capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(out.read_text())["hamkke"]["languages"]
    print(result.stdout)
    for lang, floor in FLOORS.items():
        assert figures[lang]["accuracy"] >= floor, (lang, figures[lang])
    accuracies = [figures[lang]["accuracy"] for lang in FLOORS]
    assert max(accuracies) - min(accuracies) <= MAX_SPREAD, figures
