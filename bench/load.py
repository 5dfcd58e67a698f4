"""Throughput and latency of a running assistant under concurrent Kakao residents.

``python -m bench.load [--url http://127.0.0.1:8000] [--seconds 30] [--residents 10]``
(``make bench-load``) sends FAQ questions in four languages from N residents,
each waiting for its answer before the next question, and prints messages per
second, p50/p95/p99 latency and errors. Start the assistant first (``make run``,
with ``HAMKKE_RASA_SERVERS=2`` or on PostgreSQL to compare topologies in the
same session); figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import sys
import threading
import time
from typing import Optional

import httpx

QUESTIONS = ("где продлить визу", "tôi muốn gia hạn visa", "외국인등록증 잃어버렸어요", "where can I learn Korean",
             "мне не платят зарплату", "건강보험료가 밀렸어요")


def run(url: str, seconds: float, residents: int) -> dict[str, float]:
    """Load the assistant; return the figures."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    end = time.monotonic() + seconds

    def resident(index: int) -> None:
        with httpx.Client(base_url=url, timeout=30) as client:
            turn = 0
            while time.monotonic() < end:
                started = time.perf_counter()
                try:
                    response = client.post("/kakao/skill", json={"userRequest": {
                        "utterance": QUESTIONS[turn % len(QUESTIONS)], "user": {"id": f"load-{index}"}}})
                    ok = response.status_code == 200
                except httpx.HTTPError:
                    ok = False
                with lock:
                    latencies.append(time.perf_counter() - started)
                    errors[0] += not ok
                turn += 1

    threads = [threading.Thread(target=resident, args=(i,)) for i in range(residents)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    latencies.sort()

    def pct(p: float) -> float:
        return 1000 * latencies[min(len(latencies) - 1, int(len(latencies) * p))] if latencies else 0.0

    return {"messages": len(latencies), "per_s": len(latencies) / seconds, "p50_ms": pct(0.5),
            "p95_ms": pct(0.95), "p99_ms": pct(0.99), "errors": errors[0]}


def main(argv: Optional[list[str]] = None) -> int:
    """Command line."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8000")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--residents", type=int, nargs="+", default=[1, 10])
    args = parser.parse_args(argv)
    print("| residents | messages/s | p50 | p95 | p99 | errors |\n|---|---|---|---|---|---|")
    for residents in args.residents:
        f = run(args.url, args.seconds, residents)
        print(f"| {residents} | {f['per_s']:.1f} | {f['p50_ms']:.0f} ms | {f['p95_ms']:.0f} ms | "
              f"{f['p99_ms']:.0f} ms | {f['errors']:.0f} |", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
