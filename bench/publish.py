"""Publishing figures: how long until an admin's change is live, and what residents notice.

Against a running assistant (``make run``; same database)::

    python -m bench.publish [--url http://127.0.0.1:8000] [--skip-model]

1. An answer edit: changes the Vietnamese answer of ``faq_visa_extension``
   the way the admin page does (:func:`hamkke.provenance.record_edit`), then
   asks in Vietnamese on Kakao until the new text comes back; prints the
   seconds. The answer is put back afterwards.
2. A new example question: adds a Russian example to ``faq_garbage`` and
   queues a retraining, as "Retrain and publish" does; while the worker
   trains, checks and swaps, a resident writes on Kakao every 0.3 s. Prints
   the seconds from publish to live, how many messages were answered during
   it, their median and worst latency and how many failed or were wrong.
   The example stays (it is in the model now); remove it on the FAQ page.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
from typing import Any, Optional

import httpx
from sqlalchemy import select

from hamkke.config import get_settings
from hamkke.db.models import FaqEntry, FaqExample, ModelJob
from hamkke.db.session import Database
from hamkke.provenance import record_edit
from hamkke.publishing import request_job

QUESTION_VI = "tôi muốn gia hạn visa"
NEW_QUESTION = "как избавиться от шкафа"
STREAM = (("где продлить визу", "1345"), ("tôi muốn gia hạn visa", "1345"), ("외국인등록증 잃어버렸어요", "1345"),
          ("мне не платят зарплату", "1350"))


def ask(client: httpx.Client, text: str, user: str) -> tuple[str, float]:
    started = time.monotonic()
    response = client.post("/kakao/skill", json={"userRequest": {"utterance": text, "user": {"id": user}}})
    seconds = time.monotonic() - started
    if response.status_code != 200:
        return "", seconds
    outputs = response.json()["template"]["outputs"]
    return "\n".join(o["simpleText"]["text"] for o in outputs if "simpleText" in o), seconds


async def set_answer(db: Database, lang: str, text: Optional[str], marker: str) -> str:
    async with db.session() as session:
        entry = await session.scalar(select(FaqEntry).where(FaqEntry.intent == "faq_visa_extension"))
        assert entry is not None, "no FAQ entries: has the database been seeded (make run)?"
        old = entry.answers[lang]
        entry.answers = {**entry.answers, lang: text if text is not None else old + marker}
        await record_edit(session, "faq", entry.intent, None, "bench.publish")
        await session.commit()
        return str(old)


def answer_edit(client: httpx.Client, db: Database) -> float:
    marker = f" [bench {int(time.time())}]"
    old = asyncio.run(set_answer(db, "vi", None, marker))
    started = time.monotonic()
    try:
        while time.monotonic() - started < 30:
            answer, _ = ask(client, QUESTION_VI, "bench-edit")
            if marker.strip() in answer:
                return time.monotonic() - started
        raise AssertionError("the edit never reached the resident")
    finally:
        asyncio.run(set_answer(db, "vi", old, ""))


async def queue(db: Database) -> int:
    async with db.session() as session:
        exists = await session.scalar(select(FaqExample).where(FaqExample.text == NEW_QUESTION))
        if exists is None:
            session.add(FaqExample(intent="faq_garbage", language="ru", text=NEW_QUESTION, origin="admin"))
        job = await request_job(session, "train", None)
        await session.commit()
        return job.id


async def job_state(db: Database, job_id: int) -> dict[str, Any]:
    async with db.session() as session:
        job = await session.get(ModelJob, job_id)
        assert job is not None
        return {"status": job.status, "stage": job.stage, "progress": job.progress, "message": job.message}


def publish(client: httpx.Client, db: Database, timeout: float = 3600) -> dict[str, Any]:
    job_id = asyncio.run(queue(db))
    started = time.monotonic()
    results: list[tuple[float, bool]] = []
    turn = 0
    state = asyncio.run(job_state(db, job_id))
    while state["status"] in ("queued", "running") and time.monotonic() - started < timeout:
        text, fact = STREAM[turn % len(STREAM)]
        answer, seconds = ask(client, text, f"bench-swap-{turn % 4}")
        results.append((seconds, fact in answer))
        turn += 1
        time.sleep(0.3)
        if turn % 10 == 0:
            state = asyncio.run(job_state(db, job_id))
    live_s = time.monotonic() - started
    latencies = [r[0] for r in results]
    understood, _ = ask(client, NEW_QUESTION, "bench-after")
    return {"job": state["status"], "message": state["message"], "publish_to_live_s": round(live_s, 1),
            "messages": len(results), "failed_or_wrong": sum(not ok for _, ok in results),
            "median_s": round(statistics.median(latencies), 3) if latencies else None,
            "worst_s": round(max(latencies), 3) if latencies else None,
            "new_question_understood": "1599-0903" in understood}


def main(argv: Optional[list[str]] = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--skip-model", action="store_true", help="only the answer edit")
    args = parser.parse_args(argv)
    db = Database(get_settings().database_url)
    with httpx.Client(base_url=args.url, timeout=30) as client:
        edit_s = answer_edit(client, db)
        print(f"answer edit → live for the next message: {edit_s:.3f} s")
        if not args.skip_model:
            figures = publish(client, db)
            print("new example question → published model:")
            for name, value in figures.items():
                print(f"  {name:24} {value}")
    asyncio.run(db.dispose())
    return 0


if __name__ == "__main__":
    sys.exit(main())
