"""The gateway's HTTP application (FastAPI)."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Optional

import sqlalchemy.exc
from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy import select
from telegram.error import TelegramError

from bot import api
from bot.channels import kakao, telegram
from bot.console import (
    admin_conflicts,
    admin_content,
    admin_faq,
    admin_health,
    admin_inbox,
    admin_models,
    admin_privacy,
)
from bot.console import routes as console
from bot.core import DialogueCore
from bot.delivery import Outbox
from bot.rasa_client import RasaClient
from hamkke.config import Settings, get_settings
from hamkke.db.models import ModelVersion
from hamkke.db.session import Database
from hamkke.live import LiveBus, PostgresRelay, asyncpg_dsn
from hamkke.logs import configure_logging
from hamkke.translation import Translator

log = logging.getLogger(__name__)

FOLLOW_EVERY_S = 0.25


async def sweep_unanswered(core: DialogueCore, outbox: Outbox, every: float) -> None:
    """Every ``every`` seconds: hand to staff the messages a crash left ``received`` for more than two
    minutes (not only at the next start: a quick restart found them too young to touch); and, once
    Rasa is back, answer the messages that got "busy" while it was away (the resident is told the
    question and gets the answer: Telegram at once, Kakao with their next message)."""
    while True:
        await asyncio.sleep(every)
        try:
            found = await core.recover_unanswered()
            if found:
                log.warning("%d messages left unanswered are in the staff queue now", found)
                core.live.publish("queue")
            waiting = await core.failed_while_away()
            if waiting and await core.rasa.model_loaded():
                for message_id in waiting:
                    reply = await core.answer_late(message_id)
                    if reply is not None and reply.stored_id is not None:
                        await outbox.deliver(reply.stored_id)
                log.info("%d messages that got 'busy' while Rasa was away were answered", len(waiting))
                core.live.publish("queue")
        except asyncio.CancelledError:
            raise
        except Exception:  # the database may be briefly away: next round
            log.warning("the sweep for unanswered messages failed", exc_info=True)


async def reap_orphans(core: DialogueCore, every: float = 2.0) -> None:
    """With Redis: say this replica is alive, and take over the messages of replicas that died (their
    heartbeat stopped) within seconds: their residents' next messages go on, the messages themselves
    are answered late or left for staff (:meth:`DialogueCore.orphaned`)."""
    while True:
        try:
            await core.coordinator.heartbeat()
            found = await core.orphaned(await core.coordinator.orphans())
            if found:
                log.warning("%d messages held by a gateway replica that stopped are taken over", found)
                core.live.publish("queue")
        except asyncio.CancelledError:
            raise
        except Exception:  # the database or Redis is briefly away: next round
            log.warning("could not take over the messages of stopped replicas", exc_info=True)
        await asyncio.sleep(every)


async def follow_live_model(db: Database, rasa: RasaClient, every: float = FOLLOW_EVERY_S) -> None:
    """Send messages to the Rasa serving the live model, as the worker publishes it.

    The worker switches the live model in the database, keeps the old Rasa up
    for a few seconds more, then stops it gracefully (it finishes what it is
    answering): reading the pointer four times a second, no message goes to a
    Rasa that has stopped. Without a published address, the configured one.
    """
    while True:
        try:
            async with db.session() as session:
                url = await session.scalar(select(ModelVersion.rasa_url).where(ModelVersion.status == "live"))
            target = (url or rasa.settings.rasa_url).rstrip("/")
            if target != rasa.url:
                log.info("now sending messages to the live model at %s", target)
                rasa.url = target
        except asyncio.CancelledError:
            raise
        except Exception:  # the database may be briefly busy: try again
            log.warning("could not read the live model's address", exc_info=True)
        await asyncio.sleep(every)


def create_app(settings: Optional[Settings] = None) -> FastAPI:
    """Build the gateway for ``settings`` (the environment's by default)."""
    settings = settings or get_settings()
    configure_logging(settings.log_level)
    if settings.is_production and not settings.kakao_skill_secret:
        raise RuntimeError("HAMKKE_ENV=production needs KAKAO_SKILL_SECRET")
    if settings.is_production and not os.environ.get("HAMKKE_LINK_SECRET"):
        # Every replica must sign (and check) the links to long answers with the same secret.
        raise RuntimeError("HAMKKE_ENV=production needs HAMKKE_LINK_SECRET, the same on every gateway replica")

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        db = Database(settings.database_url)
        rasa = RasaClient(settings)
        app.state.settings = settings
        app.state.db = db
        app.state.rasa = rasa
        app.state.live = LiveBus()
        relay = None
        dsn = asyncpg_dsn(settings.database_url)
        if dsn is not None:  # several gateway replicas share the consoles' live updates
            relay = PostgresRelay(app.state.live, dsn)
            try:
                await relay.start()
            except Exception as exc:  # the consoles of this replica still get its own events
                log.error("live updates are not shared with other replicas: %s", type(exc).__name__)
                relay = None
        app.state.core = DialogueCore(settings, db, rasa, app.state.live)
        app.state.translator = Translator(settings)
        app.state.outbox = Outbox(app.state.core)
        following = asyncio.create_task(follow_live_model(db, rasa))
        sweeping = asyncio.create_task(sweep_unanswered(app.state.core, app.state.outbox, settings.sweep_s))
        reaping = asyncio.create_task(reap_orphans(app.state.core)) if app.state.core.coordinator.shared else None
        recovered = await app.state.core.recover_unanswered()
        if recovered:
            log.warning("%d messages left unanswered by a previous run are in the staff queue", recovered)
        app.state.telegram = None
        if settings.telegram_bot_token:
            adapter = telegram.TelegramAdapter(settings, app.state.core)
            try:
                await adapter.start()
                app.state.telegram = adapter
                app.state.outbox.telegram = adapter
            except TelegramError as exc:  # the other channels still work
                log.error("Telegram adapter did not start: %s", type(exc).__name__)
        # What start-up loaded (catalogs, aliases, routes, the ORM's mappers) lives as long as the
        # process: kept out of the collector's full passes, which took up to 90 ms of a message's time.
        gc.collect()
        gc.freeze()
        try:
            yield
        finally:
            gc.unfreeze()  # collectable again once this app is gone (the tests start many)
            background = [task for task in (following, sweeping, reaping) if task is not None]
            for task in background:
                task.cancel()
            # Wait for them to end: a task cancelled in the middle of a database call must let that
            # call finish before the engine is disposed and the loop closes (aiosqlite's thread
            # would otherwise answer a closed loop).
            await asyncio.gather(*background, return_exceptions=True)
            if relay is not None:
                await relay.stop()
            await kakao.drain()
            if app.state.telegram is not None:
                await app.state.telegram.stop()
            await rasa.close()
            await app.state.core.coordinator.close()
            await app.state.translator.close()
            await db.dispose()

    app = FastAPI(
        title="Hamkke gateway",
        version="0.1.0",
        description=(
            "Messages from residents' messengers to the Hamkke assistant, and a read-only JSON API "
            "of services, events and eligibility checks in ko, en, ru and vi."
        ),
        lifespan=lifespan,
    )
    app.include_router(kakao.router)
    app.include_router(telegram.router)
    app.include_router(api.router)
    app.include_router(console.router)
    for admin_pages in (admin_faq, admin_content, admin_models, admin_inbox, admin_health, admin_conflicts,
                        admin_privacy):
        app.include_router(admin_pages.router)
    app.mount("/staff/static", console.static, name="console-static")

    @app.exception_handler(console.SignInNeeded)
    async def sign_in_needed(request: Request, _exc: console.SignInNeeded) -> Response:
        """Pages go to the sign-in form; requests from scripts get 401."""
        if request.method == "GET" and "text/html" in request.headers.get("accept", ""):
            return RedirectResponse("/staff/login", status_code=303)
        return JSONResponse({"ok": False, "error": "sign in first"}, status_code=401)

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> JSONResponse:
        """Errors as JSON, with the reason (the console shows it)."""
        return JSONResponse({"ok": False, "error": exc.detail}, status_code=exc.status_code,
                            headers=getattr(exc, "headers", None))

    @app.get("/healthz")
    async def healthz(request: Request) -> JSONResponse:
        """200 once the assistant can answer: Rasa's model loaded, actions reachable."""
        rasa: RasaClient = request.app.state.rasa
        checks = {"rasa_model": await rasa.model_loaded(), "actions": await rasa.actions_up()}
        ok = all(checks.values())
        # Redis away is degraded, not down: each replica keeps answering on its own.
        coordinator = request.app.state.core.coordinator
        shared = ("ok" if await coordinator.ping() else "away") if coordinator.shared else "none"
        return JSONResponse({"status": "ok" if ok else "starting", **checks, "redis": shared},
                            status_code=200 if ok else 503)

    @app.exception_handler(OverflowError)
    @app.exception_handler(sqlalchemy.exc.DataError)
    async def out_of_range(_request: Request, exc: Exception) -> JSONResponse:
        """A number or text the database cannot hold (an id beyond its INTEGER, say): the request's
        fault, answered without the database's words."""
        log.warning("refused a value the database cannot hold: %s", type(exc).__name__)
        return JSONResponse({"ok": False, "error": "a value in the request is out of range"}, status_code=400)

    @app.exception_handler(RequestValidationError)
    async def validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
        return JSONResponse({"error": "invalid request", "detail": exc.errors()[:5]}, status_code=422)

    return app
