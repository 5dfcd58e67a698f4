"""Evaluate trained Rasa models on the held-out set, per language.

Run with Rasa's environment (``make eval`` does)::

    .venv-rasa/bin/python -m bench.nlu_eval models/hamkke.tar.gz models/plain-rasa.tar.gz

Every held-out example (``tests/nlu/heldout_<lang>.yml``, written apart from
the training data) is normalised as the gateway normalises it, parsed by each
model, and scored on the intent it predicts. A fallback (``nlu_fallback``)
counts as a miss.
Prints intent accuracy and macro-F1 per language, the worst intents and the
most frequent confusions; ``--json`` writes the figures for tests.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from hamkke.privacy import normalise  # noqa: E402  (stdlib-only module, shared with the gateway)

LANGS = ("en", "ru", "vi", "ko")


def example_texts(block: dict[str, Any]) -> list[str]:
    """The example texts of one block of a Rasa NLU file."""
    lines = (line.strip() for line in block.get("examples", "").splitlines())
    return [line[2:].strip() for line in lines if line.startswith("- ")]


def load_heldout(folder: Path) -> list[tuple[str, str, str]]:
    """``(lang, gold label, text)`` for every held-out example."""
    rows: list[tuple[str, str, str]] = []
    for lang in LANGS:
        data = yaml.safe_load((folder / f"heldout_{lang}.yml").read_text(encoding="utf-8"))
        for block in data["nlu"]:
            rows.extend((lang, block["intent"], text) for text in example_texts(block))
    return rows


def label_of(parsed: dict[str, Any]) -> str:
    """The intent a parse result stands for (``nlu_fallback`` when unsure)."""
    return str((parsed.get("intent") or {}).get("name") or "none")


def top_label(parsed: dict[str, Any]) -> str:
    """The likeliest intent other than the fallback (what the buttons offer first)."""
    for entry in parsed.get("intent_ranking") or []:
        if entry.get("name") != "nlu_fallback":
            return str(entry.get("name"))
    return "none"


def top_margins(parsed: dict[str, Any]) -> tuple[float, float]:
    """Confidence of the likeliest non-fallback intent, and its lead over the second."""
    scores = [float(e.get("confidence") or 0) for e in parsed.get("intent_ranking") or []
              if e.get("name") != "nlu_fallback"]
    scores += [0.0, 0.0]
    return scores[0], scores[0] - scores[1]


SWEEP = (0.1, 0.15, 0.2, 0.25, 0.3)
def _ambiguity() -> float:
    """config.yml's FallbackClassifier ambiguity_threshold."""
    import yaml

    config = yaml.safe_load((ROOT / "config.yml").read_text())
    for component in config.get("pipeline") or []:
        if component.get("name") == "FallbackClassifier":
            return float(component.get("ambiguity_threshold", 0.1))
    return 0.1


AMBIGUITY = _ambiguity()


async def predict(model: Path, texts: list[str]) -> tuple[list[str], list[str]]:
    """The label a model gives each text, and its likeliest non-fallback intent."""
    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    configure_structlog(logging.WARNING)
    agent = Agent.load(str(model))
    labels, tops = [], []
    MARGINS.clear()
    for text in texts:
        parsed = await agent.parse_message(normalise(text))
        labels.append(label_of(parsed))
        tops.append(top_label(parsed))
        MARGINS.append(top_margins(parsed))
    return labels, tops


# (confidence, lead) of each prediction of the last model evaluated.
MARGINS: list[tuple[float, float]] = []


def f1_scores(gold: list[str], pred: list[str]) -> dict[str, float]:
    """F1 per gold label."""
    tp: Counter[str] = Counter()
    fp: Counter[str] = Counter()
    fn: Counter[str] = Counter()
    for g, p in zip(gold, pred, strict=True):
        if g == p:
            tp[g] += 1
        else:
            fn[g] += 1
            fp[p] += 1
    scores = {}
    for label in set(gold):
        precision = tp[label] / (tp[label] + fp[label]) if tp[label] + fp[label] else 0.0
        recall = tp[label] / (tp[label] + fn[label]) if tp[label] + fn[label] else 0.0
        scores[label] = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return scores


def summarise(rows: list[tuple[str, str, str]], pred: list[str], top: list[str]) -> dict[str, Any]:
    """Accuracy and macro-F1 per language, worst intents, confusions."""
    by_lang: dict[str, dict[str, Any]] = {}
    for lang in LANGS:
        idx = [i for i, row in enumerate(rows) if row[0] == lang]
        gold = [rows[i][1] for i in idx]
        got = [pred[i] for i in idx]
        f1 = f1_scores(gold, got)
        by_lang[lang] = {
            "n": len(idx),
            "accuracy": sum(g == p for g, p in zip(gold, got, strict=True)) / len(idx),
            "macro_f1": sum(f1.values()) / len(f1),
            "fallback": sum(p == "nlu_fallback" for p in got) / len(idx),
            "top1": sum(rows[i][1] == top[i] for i in idx) / len(idx),
            # Accuracy had the fallback threshold been x (ambiguity threshold kept).
            "sweep": {str(x): sum(rows[i][1] == top[i] and MARGINS[i][0] >= x and MARGINS[i][1] >= AMBIGUITY
                                  for i in idx) / len(idx) for x in SWEEP} if len(MARGINS) == len(rows) else {},
        }
    overall_f1 = f1_scores([r[1] for r in rows], pred)
    worst = sorted(overall_f1.items(), key=lambda kv: kv[1])[:8]
    confusions = Counter((r[1], p) for r, p in zip(rows, pred, strict=True) if r[1] != p).most_common(10)
    return {"languages": by_lang, "worst": worst, "confusions": [[g, p, n] for (g, p), n in confusions]}


def main(argv: list[str] | None = None) -> int:
    """Evaluate each model given and print the tables."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("models", nargs="+", type=Path)
    parser.add_argument("--heldout", type=Path, default=ROOT / "tests" / "nlu")
    parser.add_argument("--json", type=Path, help="write the figures here")
    args = parser.parse_args(argv)
    logging.disable(logging.WARNING)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
    rows = load_heldout(args.heldout)
    results: dict[str, Any] = {}
    for model in args.models:
        pred, top = asyncio.run(predict(model, [r[2] for r in rows]))
        results[model.stem.replace(".tar", "")] = summarise(rows, pred, top)
    names = list(results)
    counts = ", ".join(f"{code} {sum(r[0] == code for r in rows)}" for code in LANGS)
    print(f"\nHeld-out examples: {len(rows)} ({counts})\n")
    print("accuracy and macro-F1 count a fallback as a miss; top-1 is the likeliest intent, fallback or not\n")
    print("| language | " + " | ".join(f"{n} accuracy | {n} macro-F1 | {n} fallback | {n} top-1" for n in names)
          + " |")
    print("|---|" + "---|---|---|---|" * len(names))
    for lang in LANGS:
        cells = []
        for name in names:
            figures = results[name]["languages"][lang]
            cells += [f"{100 * figures['accuracy']:.1f}%", f"{100 * figures['macro_f1']:.1f}%",
                      f"{100 * figures['fallback']:.1f}%", f"{100 * figures['top1']:.1f}%"]
        print(f"| {lang} | " + " | ".join(cells) + " |")
    for name in names:
        print(f"\n{name}: accuracy had the fallback threshold been "
              + ", ".join(f"{x}: " + "/".join(f"{100 * results[name]['languages'][lang]['sweep'].get(str(x), 0):.1f}"
                                           for lang in LANGS) for x in SWEEP) + f" ({'/'.join(LANGS)})")
        print(f"{name}: worst intents (F1): "
              + ", ".join(f"{label} {100 * f1:.0f}%" for label, f1 in results[name]["worst"]))
        print(f"{name}: most frequent confusions (gold -> predicted, count):")
        for gold, got, count in results[name]["confusions"]:
            print(f"    {gold} -> {got}: {count}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
