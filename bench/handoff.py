"""How fast the staff console sees a resident and a resident sees staff, over real local connections.

``make bench-handoff`` runs the gateway (uvicorn, a fresh migrated and
seeded SQLite database in a temporary directory), a local Rasa REST stand-in
that hands every resident off, and a local Telegram Bot API server
(``tests/telegram_api.py``) the real Telegram adapter polls. Each resident
asks for a person; a staff account signs in at ``/staff`` and assigns every
conversation. Then:

1. Residents write while staff hold their conversations: Telegram updates
   pushed to the Bot API server at a steady rate, spread over the
   conversations. Measured from the push to (a) the ``conversation`` event
   on the console's server-sent event stream ``GET /staff/events`` (read
   with httpx, signed in), and (b) the transcript fragment
   ``GET /staff/conversations/{id}/messages`` containing the text, fetched
   on that event as the console's page does.
2. Staff reply (``POST /staff/conversations/{id}/reply``, JSON with the
   ``X-CSRF-Token`` header), spread over the conversations. Measured from
   the POST to the Bot API server's receipt of the ``sendMessage`` (both
   clocks ``time.monotonic`` in this process). The adapter keeps about one
   message per second per chat; the replies to one chat are spaced further
   apart than that, and the output says how much pacing there was.

Everything runs in this one process (the gateway in a uvicorn thread, the
stand-ins in server threads), so the client side shares the machine and the
interpreter with the gateway. No translation provider is configured: the
console shows the residents' text untranslated. The figures are printed;
nothing asserts a time.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import dataclasses
import json
import os
import statistics
import sys
import tempfile
import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Optional

import httpx
from sqlalchemy import select

from bot.app import create_app
from bot.channels.telegram import PER_CHAT_INTERVAL_S
from bot.console.routes import COOKIE
from hamkke.config import Secret, Settings
from hamkke.db.models import Conversation, Resident
from hamkke.db.session import Database
from hamkke.db.setup import migrate, seed
from tests.console_client import Console, make_user
from tests.helpers import Gateway, LocalServer
from tests.telegram_api import TOKEN, BotAPI, message_update

HANDOFF_TEXT = "person please"
STAFF_NAME = "bench-staff"
FIRST_CHAT = 880001
DRAIN_S = 15.0  # how long a message or reply may take before it counts as a failure


class RasaStandIn:
    """Rasa's REST channel: every message asks for a person (the hand-off signal), as an action would."""

    def __init__(self) -> None:
        self.asked = 0

    def __call__(self, method: str, path: str, body: Any) -> tuple[int, Any]:
        if not path.startswith("/webhooks/rest/webhook") or not isinstance(body, dict):
            return 200, {}  # tracker events, status: nothing to do
        self.asked += 1
        return 200, [{"custom": {"key": "handoff_recorded", "handoff": {
            "reason": "requested", "topic": "faq_visa_extension",
            "summary": {"language": "en", "topic": "faq_visa_extension"}}}}]


@dataclasses.dataclass
class Probe:
    """One resident message: when it was pushed, when the console saw it."""

    conversation: int
    text: str
    pushed_at: float = 0.0
    event_at: Optional[float] = None
    shown_at: Optional[float] = None
    refetches: int = 0
    error: Optional[str] = None


@dataclasses.dataclass
class ReplyProbe:
    """One staff reply: when it was sent, answered, delivered."""

    conversation: int
    chat: int
    text: str
    posted_at: float = 0.0
    answered_at: Optional[float] = None
    delivered_at: Optional[float] = None
    pacing_wait: float = 0.0
    error: Optional[str] = None


def summary(values_s: list[float]) -> dict[str, Any]:
    """Count, p50, p95, p99 and max in milliseconds."""
    ms = [1000 * v for v in values_s]
    if not ms:
        return {"count": 0, "p50": None, "p95": None, "p99": None, "max": None}
    if len(ms) == 1:
        cuts = [ms[0]] * 99
    else:
        cuts = statistics.quantiles(ms, n=100, method="inclusive")
    return {"count": len(ms), "p50": round(cuts[49], 1), "p95": round(cuts[94], 1), "p99": round(cuts[98], 1),
            "max": round(max(ms), 1)}


class UpdateIds:
    """Telegram update ids, increasing."""

    def __init__(self) -> None:
        self.last = 0

    def next(self) -> int:
        self.last += 1
        return self.last


def quiet_hang_ups(telegram: BotAPI) -> None:
    """No traceback when the adapter hangs up on a long poll as it stops (a broken pipe is expected then)."""
    server = telegram.server
    default = server.handle_error

    def handle_error(request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], (BrokenPipeError, ConnectionResetError)):
            default(request, client_address)

    server.handle_error = handle_error  # type: ignore[method-assign]


def _rows(database_url: str, query: Any) -> list[Any]:
    async def run() -> list[Any]:
        db = Database(database_url)
        try:
            async with db.session() as session:
                return list((await session.execute(query)).all())
        finally:
            await db.dispose()
    return asyncio.run(run())


def hand_off_residents(telegram: BotAPI, ids: UpdateIds, chats: list[int], database_url: str) -> dict[int, int]:
    """Each resident asks for a person; returns chat id -> conversation id."""
    for chat in chats:
        telegram.push(message_update(ids.next(), chat, "en", text=HANDOFF_TEXT))
    for chat in chats:
        telegram.wait_sent(1, chat_id=chat)  # the hand-off notice
    rows = _rows(database_url, select(Resident.channel_user_key, Conversation.id).join(
        Conversation, Conversation.resident_id == Resident.id).where(Conversation.status == "waiting"))
    found = {int(key): int(cid) for key, cid in rows}
    missing = [chat for chat in chats if chat not in found]
    if missing:
        raise RuntimeError(f"no waiting conversation for chats {missing}")
    return found


async def read_events(client: httpx.AsyncClient, on_event: Any, opened: asyncio.Event) -> None:
    """The console's event stream, as the browser's EventSource reads it."""
    async with client.stream("GET", "/staff/events", headers={"accept": "text/event-stream"},
                             timeout=httpx.Timeout(10.0, read=None)) as response:
        response.raise_for_status()
        kind = "message"
        async for line in response.aiter_lines():
            if line.startswith("retry:"):
                opened.set()
            elif line.startswith("event:"):
                kind = line[6:].strip()
            elif line.startswith("data:"):
                on_event(kind, json.loads(line[5:]), time.monotonic())
            elif not line:
                kind = "message"


async def measure(args: argparse.Namespace, url: str, session_cookie: str, csrf: str, live: Any,
                  telegram: BotAPI, ids: UpdateIds, conversations: dict[int, int]) -> dict[str, Any]:
    """Both measurements, on one event loop: the stream, the fetches, the pushes, the replies."""
    chats = sorted(conversations)
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=32)
    client = httpx.AsyncClient(base_url=url, cookies={COOKIE: session_cookie}, timeout=30.0, limits=limits)
    # The stream has a connection of its own, like the browser's EventSource.
    stream_client = httpx.AsyncClient(base_url=url, cookies={COOKIE: session_cookie})
    phase = {"name": "setup"}
    waiting: dict[int, collections.deque[Probe]] = collections.defaultdict(collections.deque)
    fetches: set[asyncio.Task[None]] = set()
    unmatched = {"events": 0}
    probes: list[Probe] = []
    pushed = {"all": False}
    settled = asyncio.Event()

    def settle() -> None:
        """Every message pushed and seen (or given up on): the first measurement is over."""
        if pushed["all"] and all(p.shown_at is not None or p.error is not None for p in probes):
            settled.set()

    async def show(probe: Probe) -> None:
        """Fetch the transcript fragment until it shows the message (once, normally)."""
        path = f"/staff/conversations/{probe.conversation}/messages"
        while True:
            try:
                response = await client.get(path, headers={"accept": "text/html"})
                ok = response.status_code == 200 and probe.text in response.text
                why = f"HTTP {response.status_code}"
            except httpx.HTTPError as exc:
                ok, why = False, type(exc).__name__
            now = time.monotonic()
            if ok:
                probe.shown_at = now
                settle()
                return
            if now - probe.pushed_at > DRAIN_S:
                probe.error = f"transcript never showed it ({why})"
                settle()
                return
            probe.refetches += 1
            await asyncio.sleep(0.02)

    def on_event(kind: str, data: dict[str, Any], at: float) -> None:
        if phase["name"] != "messages" or kind != "conversation":
            return
        queue = waiting.get(int(data.get("id") or 0))
        if not queue:
            unmatched["events"] += 1
            return
        probe = queue.popleft()  # one event per message, in the chat's order
        probe.event_at = at
        task = asyncio.create_task(show(probe))
        fetches.add(task)
        task.add_done_callback(fetches.discard)

    sends: list[asyncio.Task[None]] = []
    opened = asyncio.Event()
    reader = asyncio.create_task(read_events(stream_client, on_event, opened))
    try:
        await asyncio.wait_for(opened.wait(), 10)
        deadline = time.monotonic() + 10
        while live.subscribers < 1:  # subscribed only once the stream's generator runs
            if time.monotonic() > deadline or reader.done():
                raise RuntimeError("the event stream did not open")
            await asyncio.sleep(0.01)

        # 1. Residents write; the console sees it.
        log(f"==> {args.messages} resident messages over {len(chats)} held conversations at {args.rate}/s")
        phase["name"] = "messages"
        started = time.monotonic()
        for i in range(args.messages):
            delay = started + i / args.rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            chat = chats[i % len(chats)]
            probe = Probe(conversation=conversations[chat], text=f"bench message m{i:05d} about my visa")
            probes.append(probe)
            waiting[probe.conversation].append(probe)
            probe.pushed_at = time.monotonic()
            telegram.push(message_update(ids.next(), chat, "en", text=probe.text))
        messages_seconds = time.monotonic() - started
        pushed["all"] = True
        settle()
        try:
            await asyncio.wait_for(settled.wait(), DRAIN_S)
        except asyncio.TimeoutError:
            pass  # what is still missing counts as a failure below
        if fetches:
            await asyncio.wait(set(fetches), timeout=DRAIN_S)
        phase["name"] = "replies"
        for probe in probes:
            if probe.event_at is None:
                probe.error = "no conversation event"
            elif probe.shown_at is None and probe.error is None:
                probe.error = "transcript not fetched in time"

        # 2. Staff reply; Telegram gets it.
        log(f"==> {args.replies} staff replies over {len(chats)} conversations at {args.reply_rate}/s")
        replies: list[ReplyProbe] = []

        async def send(reply: ReplyProbe) -> None:
            reply.posted_at = time.monotonic()
            try:
                response = await client.post(f"/staff/conversations/{reply.conversation}/reply",
                                             json={"text": reply.text, "mode": "direct"},
                                             headers={"X-CSRF-Token": csrf})
            except httpx.HTTPError as exc:
                reply.error = f"POST failed: {type(exc).__name__}"
                return
            reply.answered_at = time.monotonic()
            body = response.json() if response.headers.get("content-type", "").startswith("application/json") else {}
            if response.status_code != 200 or body.get("state") != "sent":
                reply.error = f"POST {response.status_code} {body.get('state') or body.get('error')}"

        sent_before = len(telegram.sent)
        started = time.monotonic()
        for j in range(args.replies):
            delay = started + j / args.reply_rate - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            chat = chats[j % len(chats)]
            reply = ReplyProbe(conversation=conversations[chat], chat=chat, text=f"bench reply r{j:05d} see you")
            replies.append(reply)
            sends.append(asyncio.create_task(send(reply)))
        if sends:
            await asyncio.wait(sends, timeout=DRAIN_S + 30)
        replies_seconds = time.monotonic() - started
    finally:
        reader.cancel()
        await asyncio.gather(reader, return_exceptions=True)
        unfinished = [task for task in [*fetches, *sends] if not task.done()]
        for task in unfinished:
            task.cancel()
        await asyncio.gather(*unfinished, return_exceptions=True)
        await stream_client.aclose()
        await client.aclose()

    # Match the Bot API server's sendMessage records to the replies.
    deliveries = telegram.sent[sent_before:]
    by_text = {reply.text: reply for reply in replies}
    last_at: dict[int, float] = {}
    gaps: list[float] = []
    for message in deliveries:  # in the order the server received them
        text = str(message["text"]).rsplit("\n", 1)[-1]
        match = by_text.get(text)
        if match is None or message["chat_id"] != match.chat:
            continue
        match.delivered_at = float(message["at"])
        previous = last_at.get(match.chat)
        if previous is not None:
            gaps.append(match.delivered_at - previous)
            # The adapter holds a chat's next message until a second after its last one.
            match.pacing_wait = max(0.0, previous + PER_CHAT_INTERVAL_S - match.posted_at)
        last_at[match.chat] = match.delivered_at
    for reply in replies:
        if reply.delivered_at is None and reply.error is None:
            reply.error = "never reached the Bot API server"

    message_failures = collections.Counter(p.error for p in probes if p.error)
    reply_failures = collections.Counter(r.error for r in replies if r.error)
    delivered = [r for r in replies if r.delivered_at is not None]
    paced = [r for r in delivered if r.pacing_wait > 0]
    return {
        "results": {
            "message_to_sse_event": summary([p.event_at - p.pushed_at for p in probes if p.event_at is not None]),
            "message_to_transcript": summary([p.shown_at - p.pushed_at for p in probes if p.shown_at is not None]),
            "reply_to_telegram": summary([r.delivered_at - r.posted_at for r in delivered
                                          if r.delivered_at is not None]),
            "reply_to_telegram_minus_pacing": summary([r.delivered_at - r.posted_at - r.pacing_wait
                                                       for r in delivered if r.delivered_at is not None]),
            "reply_post_answered": summary([r.answered_at - r.posted_at for r in replies
                                            if r.answered_at is not None and r.error is None]),
        },
        "failures": {
            "messages": dict(message_failures),
            "replies": dict(reply_failures),
            "unmatched_conversation_events": unmatched["events"],
        },
        "messages": {"sent": len(probes), "seconds": round(messages_seconds, 1),
                     "transcript_refetches": sum(p.refetches for p in probes)},
        "replies": {
            "sent": len(replies), "seconds": round(replies_seconds, 1),
            "per_chat_interval_s": PER_CHAT_INTERVAL_S,
            "scheduled_gap_per_chat_s": round(len(chats) / args.reply_rate, 2),
            "min_gap_per_chat_s": round(min(gaps), 3) if gaps else None,
            "paced": len(paced),
            "pacing_wait_ms_total": round(1000 * sum(r.pacing_wait for r in paced), 1),
        },
    }


def log(line: str) -> None:
    """Progress, on stderr (stdout carries the table or the JSON)."""
    print(line, file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Start everything in a temporary directory, measure, stop everything."""
    with tempfile.TemporaryDirectory(prefix="hamkke-bench-handoff-") as tmp, ExitStack() as stack:
        database_url = f"sqlite+aiosqlite:///{Path(tmp) / 'hamkke.db'}"
        log("==> Database: migrate and seed a fresh SQLite database")
        migrate(database_url)
        asyncio.run(seed(database_url))
        make_user(database_url, STAFF_NAME, "staff", ui_language="en")
        rasa = RasaStandIn()
        rasa_server = stack.enter_context(LocalServer(rasa))
        telegram = stack.enter_context(BotAPI())
        quiet_hang_ups(telegram)
        settings = dataclasses.replace(
            Settings(), database_url=database_url, rasa_url=rasa_server.url, actions_url=rasa_server.url,
            telegram_bot_token=Secret(TOKEN), telegram_api_base_url=telegram.url, translation_provider="",
            translation_url="", log_level="WARNING")
        app = create_app(settings)
        log("==> Gateway (uvicorn), Rasa stand-in, local Telegram Bot API server")
        gateway = stack.enter_context(Gateway(app))
        ids = UpdateIds()
        chats = [FIRST_CHAT + n for n in range(args.residents)]
        log(f"==> {len(chats)} residents hand off; {STAFF_NAME} signs in and assigns them")
        conversations = hand_off_residents(telegram, ids, chats, database_url)
        console = Console(gateway.url)
        stack.callback(console.close)
        if console.sign_in(STAFF_NAME).status_code != 303:
            raise RuntimeError("the staff account could not sign in")
        for conversation_id in conversations.values():
            answer = console.act(f"/staff/conversations/{conversation_id}/assign")
            if answer.status_code != 200:
                raise RuntimeError(f"assign {conversation_id}: {answer.status_code} {answer.text}")
        cookie = console.client.cookies.get(COOKIE) or ""
        result = asyncio.run(measure(args, gateway.url, cookie, console.csrf, app.state.live, telegram, ids,
                                     conversations))
        result["rasa_asked_while_held"] = rasa.asked - len(chats)  # held messages never reach Rasa
        log("==> Stopping")
    result["config"] = {"messages": args.messages, "rate_per_s": args.rate, "residents": args.residents,
                        "replies": args.replies, "reply_rate_per_s": args.reply_rate,
                        "translation": "none (provider unset)", "database": "SQLite (fresh, temporary)",
                        "cores": os.cpu_count(), "python": sys.version.split()[0]}
    return result


LABELS = {
    "message_to_sse_event": "resident msg -> SSE `conversation` event",
    "message_to_transcript": "resident msg -> transcript fragment shows it",
    "reply_to_telegram": "staff send -> Telegram sendMessage",
    "reply_to_telegram_minus_pacing": "  same, minus per-chat pacing wait",
    "reply_post_answered": "staff send -> POST answered",
}


def table(result: dict[str, Any]) -> str:
    """The figures as a Markdown table, with the notes that go with them."""
    config, messages, replies = result["config"], result["messages"], result["replies"]
    lines = [
        f"Hand-off latency: {config['residents']} Telegram residents held by one staff member; "
        f"{config['database']}; translation: {config['translation']}; "
        f"{config['cores']} cores, Python {config['python']}; everything in one process over local HTTP.",
        "",
        "| path | count | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---|---|---|---|---|",
    ]
    for key, label in LABELS.items():
        row = result["results"][key]
        if key == "reply_to_telegram_minus_pacing" and not replies["paced"]:
            continue  # the same figures as the row above

        def cell(name: str, figures: dict[str, Any] = row) -> str:
            return "-" if figures[name] is None else f"{figures[name]:.1f}"
        lines.append(f"| {label} | {row['count']} | {cell('p50')} | {cell('p95')} | {cell('p99')} | {cell('max')} |")
    failures = result["failures"]
    lines += [
        "",
        f"Resident messages: {messages['sent']} pushed in {messages['seconds']} s "
        f"({config['rate_per_s']}/s, 1 per {config['residents'] / config['rate_per_s']:.1f} s per chat); "
        f"transcript re-fetches needed: {messages['transcript_refetches']}; "
        f"messages that reached Rasa while held: {result['rasa_asked_while_held']}.",
        f"Staff replies: {replies['sent']} sent in {replies['seconds']} s ({config['reply_rate_per_s']}/s, "
        f"1 per {replies['scheduled_gap_per_chat_s']} s per chat). The Telegram adapter keeps about "
        f"{1 / replies['per_chat_interval_s']:.0f} message/s per chat: {replies['paced']} replies waited for it "
        f"({replies['pacing_wait_ms_total']} ms in all); smallest gap between two sends to one chat: "
        f"{replies['min_gap_per_chat_s']} s. The POST answers after the Bot API server has the message.",
        "Failures: messages " + (", ".join(f"{k}: {v}" for k, v in failures["messages"].items()) or "none")
        + "; replies " + (", ".join(f"{k}: {v}" for k, v in failures["replies"].items()) or "none")
        + f"; conversation events matching no message: {failures['unmatched_conversation_events']}.",
    ]
    return "\n".join(lines)


def main(argv: Optional[list[str]] = None) -> int:
    """Run the benchmark and print the table (or JSON)."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--messages", type=int, default=300, help="resident messages (default 300)")
    parser.add_argument("--residents", type=int, default=10, help="residents, one conversation each (default 10)")
    parser.add_argument("--rate", type=float, default=10.0, help="resident messages per second in all (default 10)")
    parser.add_argument("--replies", type=int, default=150, help="staff replies (default 150)")
    parser.add_argument("--reply-rate", type=float, default=5.0,
                        help="staff replies per second in all (default 5: one per 2 s per chat)")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")
    args = parser.parse_args(argv)
    if args.messages < 1 or args.residents < 1 or args.replies < 0 or args.rate <= 0 or args.reply_rate <= 0:
        parser.error("counts must be positive, rates above zero")
    result = run(args)
    print(json.dumps(result, indent=2) if args.json else table(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
