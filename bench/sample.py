"""Write a stratified sample of the NLU training data, for a quicker side-by-side.

``make eval`` trains Hamkke's pipeline and rasa init's default pipeline on the
whole training data. The default pipeline's DIET needs hours for that on two
cores, so ``make eval FRACTION=0.25`` trains both pipelines on the same
sample instead: the given fraction of every intent's examples in every
language (at least one), chosen by a hash of the text, so the sample is the
same on every machine and grows with the fraction. Both models are then
scored on the whole held-out set, as in the full run.

    python -m bench.sample --fraction 0.25 --out models/sample-0.25/nlu
"""

from __future__ import annotations

import argparse
import hashlib
import math
import shutil
import sys
from collections import defaultdict
from pathlib import Path

import yaml

from bench.nlu_eval import LANGS, example_texts

ROOT = Path(__file__).resolve().parent.parent


def examples(nlu: Path) -> dict[tuple[str, str], list[str]]:
    """Every training example, by (language, intent), in file order."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for lang in LANGS:
        for path in sorted((nlu / lang).glob("*.yml")):
            for block in yaml.safe_load(path.read_text(encoding="utf-8")).get("nlu") or []:
                if "intent" in block:
                    found[(lang, block["intent"])].extend(example_texts(block))
    return found


def sample(found: dict[tuple[str, str], list[str]], fraction: float) -> dict[tuple[str, str], list[str]]:
    """The first ``fraction`` of each group's examples, ordered by a hash of their text."""
    def rank(text: str) -> str:
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    return {key: sorted(texts, key=rank)[:max(1, math.ceil(fraction * len(texts)))]
            for key, texts in found.items()}


class _Dumper(yaml.SafeDumper):
    """Writes the examples as a literal block, as Rasa's own files have them."""


_Dumper.add_representer(str, lambda dumper, text: dumper.represent_scalar(
    "tag:yaml.org,2002:str", text, style="|" if "\n" in text else None))


def write(chosen: dict[tuple[str, str], list[str]], out: Path) -> int:
    """One file per language under ``out``; returns the number of examples written."""
    if out.exists():
        shutil.rmtree(out)
    total = 0
    for lang in LANGS:
        blocks = []
        for (code, intent), texts in sorted(chosen.items()):
            if code == lang:
                blocks.append({"intent": intent, "metadata": {"lang": lang},
                               "examples": "".join(f"- {text}\n" for text in texts)})
                total += len(texts)
        (out / lang).mkdir(parents=True)
        (out / lang / "sample.yml").write_text(
            yaml.dump({"version": "3.1", "nlu": blocks}, Dumper=_Dumper, allow_unicode=True, sort_keys=False,
                      width=1000),
            encoding="utf-8")
    return total


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m bench.sample --fraction F --out DIR``."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fraction", type=float, required=True)
    parser.add_argument("--nlu", type=Path, default=ROOT / "nlu")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args(argv)
    if not 0 < args.fraction <= 1:
        parser.error("--fraction must be in (0, 1]")
    found = examples(args.nlu)
    total = write(sample(found, args.fraction), args.out)
    print(f"==> {total} of {sum(map(len, found.values()))} training examples "
          f"({args.fraction:g} of each intent in each language) in {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
