"""Multi-turn conversations end to end: how many leave the resident satisfied.

``tests/dialogues/<lang>.yml`` holds conversations written by writers who
never saw the training data or the tests, with what a satisfied resident must
get at each turn (see ``tests/dialogues/README.md``). This module sends them
through ``POST /kakao/skill`` of a running assistant, one Kakao user per
conversation, and checks every answer. A conversation is satisfied when every
one of its turns is.

``python -m bench.dialogues [--url http://127.0.0.1:8000] [--show-failures]``
runs them against a running assistant (``make run`` with
``HAMKKE_FROZEN_NOW=2026-12-08T10:00:00+09:00``: the writers wrote for that
day) and prints the share per language; ``tests/test_dialogues.py`` does the
same in ``make test`` on its own assistant, with a floor per language.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import unicodedata
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import httpx
import yaml

from bench.nlu_eval import LANGS
from bot.replies import is_privacy_notice
from hamkke.config import PROJECT_ROOT
from hamkke.langid import detect

DIALOGUES = PROJECT_ROOT / "tests" / "dialogues"
FROZEN_NOW = "2026-12-08T10:00:00+09:00"
WORKERS = 4  # conversations at once (residents in parallel; each conversation's turns in order)


def load(lang: str, folder: Path = DIALOGUES) -> list[dict[str, Any]]:
    """The conversations of one language."""
    return list(yaml.safe_load((folder / f"{lang}.yml").read_text(encoding="utf-8")) or [])


def fold(text: str) -> str:
    """Case, composition and spacing folded, so a check ignores them."""
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


def answer_text(body: dict[str, Any]) -> str:
    """Everything a resident sees in a Kakao skill response: texts, cards, their buttons."""
    if body.get("useCallback"):
        return str((body.get("data") or {}).get("text") or "")
    parts: list[str] = []
    for output in (body.get("template") or {}).get("outputs") or []:
        if "simpleText" in output and not is_privacy_notice(output["simpleText"]["text"]):
            # (the privacy notice under a new resident's first answer is not part of the answer)
            parts.append(output["simpleText"]["text"])
        cards = []
        if "basicCard" in output:
            cards = [output["basicCard"]]
        elif "carousel" in output:
            cards = list(output["carousel"].get("items") or [])
        for card in cards:
            parts.extend(str(card.get(key) or "") for key in ("title", "description"))
            for button in card.get("buttons") or []:
                parts.extend(str(button.get(key) or "") for key in ("label", "phoneNumber", "webLinkUrl"))
    return "\n".join(p for p in parts if p)


def answer_language(text: str) -> str:
    """The language an answer is written in: its main script, then (Latin) English or Vietnamese.

    Answers quote Korean names of offices ("출입국", "주민센터") in every
    language, so a few Hangul letters do not make a Russian answer Korean.
    """
    def is_latin(ch: str) -> bool:
        return (ch.isascii() and ch.isalpha()) or "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff"

    # A web address is in no language ("https://www.liveinkorea.kr" under a Korean answer).
    text = re.sub(r"(https?://|www\.)\S+|\b[\w.-]+\.(kr|com|org|net)\b\S*", " ", text)

    hangul = sum(1 for ch in text if "\uac00" <= ch <= "\ud7a3")
    cyrillic = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in text if is_latin(ch))
    if cyrillic >= max(hangul, latin // 2, 1):
        return "ru"
    if hangul > latin:
        return "ko"
    accented = sum(1 for ch in text if "\u00c0" <= ch <= "\u024f" or "\u1e00" <= ch <= "\u1eff")
    if accented >= max(1, latin // 20):  # Vietnamese: a letter in four or five carries a mark
        return "vi"
    latin_only = "".join(ch if ch.isascii() else " " for ch in text)
    return detect(latin_only).language or ""


def first_line(text: str) -> str:
    """The first non-empty line."""
    return next((line for line in text.splitlines() if line.strip()), "")


def check(answer: str, expect: dict[str, Any], lang: str) -> list[str]:
    """What a turn's answer lacks; empty when the resident is satisfied."""
    problems: list[str] = []
    folded = fold(answer)
    for group in expect.get("any") or []:
        options = [group] if isinstance(group, str) else list(group)
        if not any(fold(str(option)) in folded for option in options):
            problems.append(f"none of {options}")
    for banned in expect.get("none") or []:
        if fold(str(banned)) in folded:
            problems.append(f"has {banned!r}")
    first = expect.get("first_line_any")
    if first:
        line = fold(first_line(answer))
        if not any(fold(str(option)) in line for option in first):
            problems.append(f"first line lacks {first}")
    wanted = expect.get("language", lang)
    if answer.strip():
        found = answer_language(answer)
        if found != wanted:
            problems.append(f"answered in {found}, not {wanted}")
    else:
        problems.append("no answer")
    return problems


@dataclass
class Outcome:
    """One conversation's result."""

    id: str
    lang: str
    failures: list[tuple[int, str, str, list[str]]] = field(default_factory=list)  # turn, said, answer, problems
    urgent_turns: int = 0
    urgent_ok: int = 0

    @property
    def satisfied(self) -> bool:
        """Whether every turn was."""
        return not self.failures


def run_conversation(client: httpx.Client, conversation: dict[str, Any], lang: str,
                     user: Optional[str] = None) -> Outcome:
    """Send one conversation, turn by turn, as one Kakao user."""
    user = user or f"dialogue-{conversation['id']}-{uuid.uuid4().hex[:8]}"
    outcome = Outcome(str(conversation["id"]), lang)
    for index, turn in enumerate(conversation.get("turns") or []):
        said = str(turn.get("user") or "")
        expect = dict(turn.get("expect") or {})
        body = {"userRequest": {"utterance": said, "user": {"id": user, "type": "botUserKey"}},
                "bot": {"id": "hamkke-dialogues"}}
        try:
            response = client.post("/kakao/skill", json=body)
            answer = answer_text(response.json()) if response.status_code == 200 else ""
        except (httpx.HTTPError, ValueError) as exc:
            answer = f"<{type(exc).__name__}>"
        problems = check(answer, expect, lang)
        if expect.get("urgent"):
            outcome.urgent_turns += 1
            outcome.urgent_ok += not any(p.startswith("first line") for p in problems)
        if problems:
            outcome.failures.append((index + 1, said, answer, problems))
    return outcome


def run(base_url: str, langs: Iterable[str] = LANGS, folder: Path = DIALOGUES,
        workers: int = WORKERS) -> dict[str, list[Outcome]]:
    """Every conversation of every language against the assistant at ``base_url``.

    Conversations are independent residents, so ``workers`` of them talk at once (each one's turns stay in
    order); the outcomes are the same as one at a time, in less time.
    """
    jobs = [(lang, conversation) for lang in langs for conversation in load(lang, folder)]
    with httpx.Client(base_url=base_url, timeout=60,
                      limits=httpx.Limits(max_connections=max(1, workers))) as client, \
            ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        outcomes = list(pool.map(lambda job: run_conversation(client, job[1], job[0]), jobs))
    results: dict[str, list[Outcome]] = {lang: [] for lang in langs}
    for (lang, _conversation), outcome in zip(jobs, outcomes, strict=True):
        results[lang].append(outcome)
    return results


def summary(results: dict[str, list[Outcome]]) -> dict[str, dict[str, float]]:
    """Per language: conversations, share satisfied (%), urgent turns and share with the urgent first line."""
    out: dict[str, dict[str, float]] = {}
    for lang, outcomes in results.items():
        urgent = sum(o.urgent_turns for o in outcomes)
        out[lang] = {
            "conversations": len(outcomes),
            "satisfied": round(100 * sum(o.satisfied for o in outcomes) / max(1, len(outcomes)), 1),
            "urgent_turns": urgent,
            "urgent_first_line": round(100 * sum(o.urgent_ok for o in outcomes) / max(1, urgent), 1),
        }
    return out


def report(results: dict[str, list[Outcome]], show_failures: bool = False) -> str:
    """A table, and the failed turns when asked."""
    lines = ["| language | conversations | fully satisfied | urgent first line |", "|---|---|---|---|"]
    for lang, row in summary(results).items():
        lines.append(f"| {lang} | {int(row['conversations'])} | {row['satisfied']}% | "
                     f"{row['urgent_first_line']}% of {int(row['urgent_turns'])} |")
    if show_failures:
        for outcomes in results.values():
            for outcome in outcomes:
                for turn, said, answer, problems in outcome.failures:
                    lines.append(f"\n{outcome.id} turn {turn}: {said!r}\n  -> {answer[:300]!r}\n  !! {problems}")
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    """Run against a running assistant and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--lang", action="append", choices=LANGS)
    parser.add_argument("--show-failures", action="store_true")
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--workers", type=int, default=WORKERS, help="conversations at once (1: one at a time)")
    parser.add_argument("--folder", type=Path, default=DIALOGUES,
                        help="another set, e.g. bench/dialogues-fresh (held out: read its score, not its failures)")
    args = parser.parse_args(argv)
    results = run(args.url, args.lang or LANGS, args.folder, args.workers)
    print(json.dumps(summary(results)) if args.json else report(results, args.show_failures))
    return 0


if __name__ == "__main__":
    sys.exit(main())
