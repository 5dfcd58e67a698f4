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
from hamkke.training import rasa_env

MODEL = PROJECT_ROOT / "models" / "hamkke.tar.gz"
# Reached on 2026-11-23 (make eval, fallback counted as a miss: en 85.4, ru 75.1,
# vi 79.2, ko 82.4 with 51 intents): see the
# closing note of issue 3. The goal is 0.95 everywhere; these floors only stop
# regressions.
FLOORS = {"en": 0.82, "ru": 0.72, "vi": 0.74, "ko": 0.79}
MAX_SPREAD = 0.15


@pytest.mark.slow
def test_held_out_accuracy_per_language(tmp_path: Path) -> None:
    if not MODEL.exists():
        pytest.fail("no trained model: run the tests through `make test`, which trains it")
    out = tmp_path / "eval.json"
    result = subprocess.run(
        [str(PROJECT_ROOT / ".venv-rasa" / "bin" / "python"), "-m", "bench.nlu_eval", str(MODEL), "--json", str(out)],
        cwd=PROJECT_ROOT, env=rasa_env(), capture_output=True, text=True, timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    figures = json.loads(out.read_text())["hamkke"]["languages"]
    print(result.stdout)
    for lang, floor in FLOORS.items():
        assert figures[lang]["accuracy"] >= floor, (lang, figures[lang])
    accuracies = [figures[lang]["accuracy"] for lang in FLOORS]
    assert max(accuracies) - min(accuracies) <= MAX_SPREAD, figures
