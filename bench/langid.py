"""Accuracy of language identification on short messages, beside langdetect.

``make langid`` reads the labelled sets in ``tests/data/`` (written apart
from the detector's rules and word lists) and prints, per language, the
accuracy of Hamkke's detector and, in the same run, of langdetect alone
(restricted to nothing: its top guess, mapped to our four codes).
"""

from __future__ import annotations

import csv
import sys
from collections import defaultdict
from typing import Optional

from langdetect import DetectorFactory, detect_langs
from langdetect.lang_detect_exception import LangDetectException

from hamkke.config import PROJECT_ROOT
from hamkke.folding import fold
from hamkke.langid import UNSUPPORTED, detect

DATA = PROJECT_ROOT / "tests" / "data"


def load(name: str) -> list[tuple[str, str]]:
    """``(label, text)`` rows of one labelled file."""
    with (DATA / name).open(encoding="utf-8") as fh:
        return [(row["lang"], row["text"]) for row in csv.DictReader(fh, delimiter="\t")]


def ours(text: str) -> Optional[str]:
    """Hamkke's answer: a code, ``other`` for unsupported, or None."""
    language = detect(text).language
    return "other" if language == UNSUPPORTED else language


def langdetect_alone(text: str) -> Optional[str]:
    """langdetect's top guess, mapped to ko/en/ru/vi/other."""
    DetectorFactory.seed = 0
    try:
        best = detect_langs(text)[0].lang
    except LangDetectException:
        return None
    return best if best in ("ko", "en", "ru", "vi") else "other"


def evaluate() -> dict[str, dict[str, tuple[int, int]]]:
    """Correct and total per group, for each detector."""
    rows = load("langid_short.tsv") + load("langid_other.tsv")
    scores: dict[str, dict[str, list[int]]] = {"hamkke": defaultdict(lambda: [0, 0]),
                                               "langdetect": defaultdict(lambda: [0, 0])}
    for label, text in rows:
        groups = [label]
        if label == "vi" and fold(text) == text:
            groups.append("vi-no-diacritics")
        for name, detector in (("hamkke", ours), ("langdetect", langdetect_alone)):
            hit = detector(text) == label
            for group in groups:
                scores[name][group][0] += int(hit)
                scores[name][group][1] += 1
    return {name: {g: (c, n) for g, (c, n) in groups.items()} for name, groups in scores.items()}


def misses(limit: int = 40) -> list[str]:
    """Messages Hamkke's detector gets wrong, for tuning."""
    out = []
    for label, text in load("langid_short.tsv") + load("langid_other.tsv"):
        got = ours(text)
        if got != label:
            out.append(f"{label}\t{got}\t{text}")
    return out[:limit]


def main() -> int:
    """Print the table."""
    results = evaluate()
    groups = ["en", "ru", "vi", "ko", "vi-no-diacritics", "other"]
    print("| group | n | hamkke | langdetect alone |")
    print("|---|---|---|---|")
    for group in groups:
        c1, n = results["hamkke"].get(group, (0, 0))
        c2, _ = results["langdetect"].get(group, (0, 0))
        if n:
            print(f"| {group} | {n} | {100 * c1 / n:.1f}% | {100 * c2 / n:.1f}% |")
    wrong = misses()
    if wrong and "-v" in sys.argv:
        print("\nMisses (label, got, text):")
        print("\n".join(wrong))
    return 0


if __name__ == "__main__":
    sys.exit(main())
