"""Score a trained Rasa model on the held-out questions, per language (runs in Rasa's venv).

``.venv-rasa/bin/python scripts/score_model.py MODEL [--heldout DIR]`` prints
``{"en": 96.2, ...}`` (share of questions classified right, %; a fallback is
a miss, as in ``make eval``). The worker (bot/worker.py) calls it to check a
retrained model beside the live one without sending a single request to the
Rasa that serves residents. All questions go through the model's NLU graph
in one batch (Rasa parses one message per call otherwise: ~20x slower).
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.nlu_eval import LANGS, label_of, load_heldout  # noqa: E402
from hamkke.privacy import normalise  # noqa: E402


def main() -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("model", type=Path)
    parser.add_argument("--heldout", type=Path, default=ROOT / "tests" / "nlu")
    args = parser.parse_args()
    logging.disable(logging.WARNING)
    from rasa.core.agent import Agent
    from rasa.core.channels.channel import UserMessage

    rows = load_heldout(args.heldout)
    agent = Agent.load(str(args.model))
    processor = agent.processor
    assert processor is not None
    messages = [UserMessage(normalise(text)) for _lang, _gold, text in rows]
    target = processor.model_metadata.nlu_target
    assert target is not None
    parsed = processor.graph_runner.run(inputs={"__message__": messages}, targets=[target])[target]
    right = dict.fromkeys(LANGS, 0)
    total = dict.fromkeys(LANGS, 0)
    for (lang, gold, _text), message in zip(rows, parsed, strict=True):
        total[lang] += 1
        right[lang] += label_of(message.as_dict(only_output_properties=False)) == gold
    print(json.dumps({lang: round(100.0 * right[lang] / total[lang], 2) for lang in LANGS if total[lang]}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
