"""Talk to a running assistant in a terminal: ``make chat``.

It speaks to the gateway exactly as KakaoTalk does (``POST /kakao/skill``),
so what you see is what a resident sees. Type in any of the four languages;
type the number of a quick reply to press it; Ctrl-D or "/quit" to leave.
"""

from __future__ import annotations

import argparse
import os
import sys
import uuid
from typing import Any, Optional

import httpx

from hamkke.config import get_settings


def _print_response(body: dict[str, Any]) -> list[str]:
    template = body.get("template") or {}
    if body.get("useCallback"):
        print(f"\nHamkke> {(body.get('data') or {}).get('text', '')}")
    for output in template.get("outputs") or []:
        text = (output.get("simpleText") or {}).get("text")
        if text:
            print(f"\nHamkke> {text}")
        cards = [output["basicCard"]] if "basicCard" in output else (output.get("carousel") or {}).get("items") or []
        for card in cards:
            print(f"\n  ┌ {card.get('title', '')}")
            for line in str(card.get("description") or "").splitlines():
                print(f"  │ {line}")
            for button in card.get("buttons") or []:
                target = button.get("phoneNumber") or button.get("webLinkUrl") or button.get("messageText") or ""
                print(f"  └ ({button.get('label')}) {target}")
    labels = []
    for i, quick in enumerate(template.get("quickReplies") or [], start=1):
        labels.append(quick.get("messageText") or quick.get("label"))
        print(f"  [{i}] {quick.get('label')}")
    return labels


def main(argv: Optional[list[str]] = None) -> int:
    """Read lines from the terminal and show the assistant's answers."""
    settings = get_settings()
    host = "127.0.0.1" if settings.host in ("0.0.0.0", "") else settings.host  # noqa: S104
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", default=f"http://{host}:{settings.port}")
    parser.add_argument("--user", default=f"cli-{uuid.uuid4().hex[:12]}",
                        help="the resident id to speak as (new each session by default)")
    args = parser.parse_args(argv)
    headers = {}
    if settings.kakao_skill_secret:
        headers["X-Kakao-Skill-Secret"] = settings.kakao_skill_secret.get()
    print(f"Talking to {args.url} as {args.user}. Write in 한국어, English, русский or tiếng Việt.")
    labels: list[str] = []
    with httpx.Client(base_url=args.url, timeout=30, headers=headers) as client:
        while True:
            try:
                line = input("\nYou> ")
            except (EOFError, KeyboardInterrupt):
                print()
                return 0
            if line.strip() in ("/quit", "/exit"):
                return 0
            if line.strip().isdigit() and 0 < int(line.strip()) <= len(labels):
                line = labels[int(line.strip()) - 1]
                print(f"You> {line}")
            body = {
                "bot": {"id": settings.kakao_bot_id or "hamkke-cli"},
                "userRequest": {"utterance": line, "user": {"id": args.user, "type": "botUserKey"}},
            }
            try:
                response = client.post("/kakao/skill", json=body)
            except httpx.HTTPError as exc:
                print(f"!! Cannot reach the assistant at {args.url} ({exc}). Is `make run` running?")
                continue
            if response.status_code != 200:
                print(f"!! HTTP {response.status_code}: {response.text[:200]}")
                continue
            labels = _print_response(response.json())


if __name__ == "__main__":
    os.environ.setdefault("HAMKKE_LOG_LEVEL", "WARNING")
    sys.exit(main())
