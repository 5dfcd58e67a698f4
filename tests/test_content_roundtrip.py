"""One truth between the admin pages and the repository (hamkke.content, hamkke.export).

Import (``seed_content``) never loses an admin's edit: a change made to the
repository's files after it becomes a conflict; export (``make export``) then
import changes nothing. Each test works on a copy of the repository's files
(``data/``, ``translations/``, ``nlu/``) and a real database file: SQLite,
and PostgreSQL when a server answers on 127.0.0.1:5432.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import shutil
import subprocess
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hamkke import SUPPORTED_LANGUAGES
from hamkke.config import PROJECT_ROOT
from hamkke.content import (
    CONTENT_COLUMNS,
    MODELS,
    conflicts,
    record_key,
    resolve_conflict,
    seed_content,
)
from hamkke.db.models import AuditEntry, ContentOrigin, FaqEntry, FaqExample, Program, Service, StaffUser
from hamkke.db.session import Database
from hamkke.db.setup import migrate
from hamkke.export import ExportError, export_content, set_message, split_records
from hamkke.i18n import read_catalog
from hamkke.provenance import current_version, record_edit

RASA_PYTHON = PROJECT_ROOT / ".venv-rasa" / "bin" / "python"

# -- fixtures ------------------------------------------------------------------------------------


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the repository's content files."""
    root = tmp_path / "repo"
    for name in ("data", "translations", "nlu"):
        shutil.copytree(PROJECT_ROOT / name, root / name)
    return root


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A migrated, empty database: a SQLite file, or a throwaway PostgreSQL database (skipped,
    with the reason, when no server answers)."""
    if request.param == "sqlite":
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'content.db'}"
    else:
        database_url = request.getfixturevalue("postgres_url")
    migrate(database_url)
    return database_url


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    """A migrated, empty SQLite database."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'content.db'}"
    migrate(database_url)
    return database_url


@pytest.fixture
def second_url(tmp_path: Path) -> Iterator[str]:
    """Another migrated, empty SQLite database (the fresh one a round trip imports into)."""
    database_url = f"sqlite+aiosqlite:///{tmp_path / 'fresh.db'}"
    migrate(database_url)
    yield database_url


@pytest.fixture
async def db(url: str) -> AsyncIterator[Database]:
    database = Database(url)
    yield database
    await database.dispose()


async def _admin(session: AsyncSession) -> int:
    user = StaffUser(name="admin-kim", password_hash="-", role="admin")
    session.add(user)
    await session.flush()
    return user.id


def _files(root: Path) -> dict[str, bytes]:
    return {str(path.relative_to(root)): path.read_bytes() for path in sorted(root.rglob("*")) if path.is_file()}


def _rewrite_records(path: Path, change: Any) -> None:
    """Change a data file's records (``change(records)``), keeping its format otherwise."""
    header, chunks = split_records(path.read_text(encoding="utf-8"))
    records = [chunk.record() for chunk in chunks]
    change(records)
    body = "".join(yaml.safe_dump([r], allow_unicode=True, sort_keys=False, width=100_000) + "".join(c.after)
                   for r, c in zip(records, chunks, strict=True))
    path.write_text(header + body, encoding="utf-8")


def _set_field(path: Path, key: str, name: str, value: Any, field: str = "slug") -> None:
    def change(records: list[dict[str, Any]]) -> None:
        record = next(r for r in records if r[field] == key)
        record[name] = value
    _rewrite_records(path, change)


def _set_answer(root: Path, lang: str, key: str, text: str) -> None:
    path = root / "translations" / lang / "LC_MESSAGES" / "hamkke.po"
    path.write_text(set_message(path.read_text(encoding="utf-8"), key, text, lang), encoding="utf-8")


async def _content(session: AsyncSession) -> dict[tuple[str, str], dict[str, Any]]:
    """Every content row by (kind, key): its content columns, as JSON compares them."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for kind, model in MODELS.items():
        for row in (await session.scalars(select(model))).all():
            values = {column: getattr(row, column) for column in CONTENT_COLUMNS[kind]}
            out[(kind, record_key(kind, row))] = json.loads(json.dumps(values, default=str, sort_keys=True))
    return out


async def _examples(session: AsyncSession) -> list[tuple[str, str, str]]:
    return sorted((e.intent, e.language, e.text) for e in (await session.scalars(select(FaqExample))).all())


# -- (a) import is idempotent --------------------------------------------------------------------


async def test_seeding_twice_changes_nothing_the_second_time(db: Database, repo: Path) -> None:
    async with db.session() as session:
        first = await seed_content(session, repo)
        assert first >= 100  # 36 services, 20 events, 3 programmes, 5 canned replies, 40 FAQ entries
        assert await current_version(session) == 1
    async with db.session() as session:
        assert await seed_content(session, repo) == 0
        assert await conflicts(session) == []
        assert await current_version(session) == 1  # nothing changed: gateways keep what they loaded
        entries = (await session.scalars(select(FaqEntry))).all()
        origins = (await session.scalars(select(ContentOrigin))).all()
    facts = yaml.safe_load((repo / "data" / "faq.yml").read_text(encoding="utf-8"))
    assert {e.intent for e in entries} == {r["intent"] for r in facts}
    visa = next(e for e in entries if e.intent == "faq_visa_extension")
    for lang in SUPPORTED_LANGUAGES:
        message = read_catalog(lang, repo / "translations").get("faq_visa_extension")
        assert message is not None and visa.answers[lang] == message.string
    assert visa.status == "published" and visa.review_days == 365 and visa.key_facts == facts[0]["key_facts"]
    assert len(origins) == first and all(o.repo_hash and not o.conflict for o in origins)


# -- (b) export of an unedited database ----------------------------------------------------------


async def test_export_of_an_unedited_database_changes_no_file(db: Database, repo: Path) -> None:
    before = _files(repo)
    async with db.session() as session:
        await seed_content(session, repo)
        assert await export_content(session, repo) == []
    assert _files(repo) == before
    assert not any((repo / "nlu" / lang / "admin.yml").exists() for lang in SUPPORTED_LANGUAGES)


# -- (c) an admin's edit survives the import -----------------------------------------------------


async def test_an_admin_edit_survives_importing_the_unchanged_repository(db: Database, repo: Path) -> None:
    async with db.session() as session:
        await seed_content(session, repo)
        admin = await _admin(session)
        service = await session.scalar(select(Service).where(Service.slug == "danuri-helpline"))
        assert service is not None
        service.phone = "1577-1366 (ext. 3)"
        await record_edit(session, "service", "danuri-helpline", admin, "https://www.liveinkorea.kr/phone")
        entry = await session.scalar(select(FaqEntry).where(FaqEntry.intent == "faq_visa_extension"))
        assert entry is not None
        entry.answers = {**entry.answers, "vi": "Câu trả lời mới: gọi 1345, hikorea.go.kr, 1577-0071."}
        await record_edit(session, "faq", "faq_visa_extension", admin, "https://www.hikorea.go.kr")
        await session.commit()
        version = await current_version(session)
    async with db.session() as session:
        assert await seed_content(session, repo) == 0
        assert await conflicts(session) == []
        assert await session.scalar(select(Service.phone).where(Service.slug == "danuri-helpline")) == \
            "1577-1366 (ext. 3)"
        entry = await session.scalar(select(FaqEntry).where(FaqEntry.intent == "faq_visa_extension"))
        assert entry is not None and entry.answers["vi"].startswith("Câu trả lời mới")
        assert await current_version(session) == version


# -- (d) a change in the repository after an admin's edit is a conflict -------------------------


async def test_a_repository_change_after_an_admin_edit_is_a_conflict_not_a_loss(db: Database, repo: Path) -> None:
    services = repo / "data" / "services.yml"
    async with db.session() as session:
        await seed_content(session, repo)
        admin = await _admin(session)
        service = await session.scalar(select(Service).where(Service.slug == "danuri-helpline"))
        assert service is not None
        service.phone = "1577-1366 (admin)"
        await record_edit(session, "service", "danuri-helpline", admin, "https://www.liveinkorea.kr")
        entry = await session.scalar(select(FaqEntry).where(FaqEntry.intent == "faq_garbage"))
        assert entry is not None
        entry.answers = {**entry.answers, "vi": "Câu trả lời của quản trị viên."}
        await record_edit(session, "faq", "faq_garbage", admin, None)
        await session.commit()

    # The repository changes the same records, and one nobody edited.
    _set_field(services, "danuri-helpline", "phone", "1577-1366 (repo)")
    _set_field(services, "immigration-contact-center", "phone", "1345 (repo)")
    _set_answer(repo, "vi", "faq_garbage", "Câu trả lời của kho mã.")
    async with db.session() as session:
        assert await seed_content(session, repo) == 1  # only the record nobody edited
        waiting = await conflicts(session)
        assert [(o.kind, o.key) for o in waiting] == [("faq", "faq_garbage"), ("service", "danuri-helpline")]
        service_conflict = next(o for o in waiting if o.kind == "service")
        assert service_conflict.conflict is not None
        assert service_conflict.conflict["phone"] == "1577-1366 (repo)"
        assert isinstance(service_conflict.conflict["verified_on"], str)  # JSON-safe
        assert await session.scalar(select(Service.phone).where(Service.slug == "danuri-helpline")) == \
            "1577-1366 (admin)"
        assert await session.scalar(select(Service.phone).where(Service.slug == "immigration-contact-center")) \
            == "1345 (repo)"
        entry = await session.scalar(select(FaqEntry).where(FaqEntry.intent == "faq_garbage"))
        assert entry is not None and entry.answers["vi"] == "Câu trả lời của quản trị viên."
        with pytest.raises(ExportError, match="conflicts"):
            await export_content(session, repo)

    async with db.session() as session:  # importing again changes nothing and keeps the conflicts
        assert await seed_content(session, repo) == 0
        assert len(await conflicts(session)) == 2
        version = await current_version(session)
        await resolve_conflict(session, "service", "danuri-helpline", "repo", admin)
        await resolve_conflict(session, "faq", "faq_garbage", "admin", admin)
        await session.commit()
    async with db.session() as session:
        assert await conflicts(session) == []
        assert await session.scalar(select(Service.phone).where(Service.slug == "danuri-helpline")) == \
            "1577-1366 (repo)"
        entry = await session.scalar(select(FaqEntry).where(FaqEntry.intent == "faq_garbage"))
        assert entry is not None and entry.answers["vi"] == "Câu trả lời của quản trị viên."
        assert await current_version(session) == version + 1  # only taking the repository's record changes content
        audits = (await session.scalars(select(AuditEntry).where(AuditEntry.action == "content_conflict_resolved")
                                        )).all()
        assert sorted((a.detail or {})["take"] for a in audits) == ["admin", "repo"]
        assert await seed_content(session, repo) == 0  # resolved for good
        assert await conflicts(session) == []
        with pytest.raises(LookupError):
            await resolve_conflict(session, "service", "danuri-helpline", "repo", admin)


async def test_an_exported_edit_committed_to_the_repository_clears_its_conflict(db: Database, repo: Path) -> None:
    services = repo / "data" / "services.yml"
    async with db.session() as session:
        await seed_content(session, repo)
        admin = await _admin(session)
        service = await session.scalar(select(Service).where(Service.slug == "danuri-helpline"))
        assert service is not None
        service.phone = "1577-1366 (admin)"
        await record_edit(session, "service", "danuri-helpline", admin, None)
        await session.commit()
    _set_field(services, "danuri-helpline", "phone", "1577-1366 (repo)")
    async with db.session() as session:
        await seed_content(session, repo)
        assert len(await conflicts(session)) == 1
    _set_field(services, "danuri-helpline", "phone", "1577-1366 (admin)")  # the admin's value, committed
    async with db.session() as session:
        assert await seed_content(session, repo) == 0
        assert await conflicts(session) == []
    _set_field(services, "danuri-helpline", "phone", "1577-1366 (later)")  # nothing of the admin's to lose now
    async with db.session() as session:
        assert await seed_content(session, repo) == 1
        assert await session.scalar(select(Service.phone).where(Service.slug == "danuri-helpline")) == \
            "1577-1366 (later)"


async def test_a_record_retired_by_an_admin_stays_retired(db: Database, repo: Path) -> None:
    events = repo / "data" / "events.yml"
    async with db.session() as session:
        await seed_content(session, repo)
        admin = await _admin(session)
        origin = await record_edit(session, "event", "world-day-2026", admin, None, action="content_retired")
        origin.retired = True
        event = await session.scalar(select(MODELS["event"]).where(MODELS["event"].slug == "world-day-2026"))
        event.retired = True  # type: ignore[union-attr]
        await session.commit()
    _set_field(events, "world-day-2026", "start_time", "10:00")
    async with db.session() as session:
        await seed_content(session, repo)
        assert [o.key for o in await conflicts(session)] == ["world-day-2026"]
        await resolve_conflict(session, "event", "world-day-2026", "repo", admin)
        await session.commit()
        event = await session.scalar(select(MODELS["event"]).where(MODELS["event"].slug == "world-day-2026"))
        assert event is not None and event.start_time == "10:00" and event.retired is True


# -- (e) export, then import into a fresh database -----------------------------------------------


async def _edit_everything(session: AsyncSession) -> int:
    admin = await _admin(session)
    service = await session.scalar(select(Service).where(Service.slug == "danuri-helpline"))
    assert service is not None
    service.phone, service.verified_on = "1577-1366 (ext. 3)", dt.date(2027, 1, 5)
    await record_edit(session, "service", "danuri-helpline", admin, "https://www.liveinkorea.kr")
    session.add(Service(
        slug="new-counselling-desk", category="labour", categories=["labour", "legal"], district="gwangsan-gu",
        phone="062-000-0000", website=None, name={lang: f"Desk ({lang})" for lang in SUPPORTED_LANGUAGES},
        description={lang: f"Counselling ({lang})" for lang in SUPPORTED_LANGUAGES}, address=None, hours=None,
        opening_hours=["Mo-Fr 09:00-18:00"], latitude=35.19, longitude=126.81, languages_served=["ko", "ru"],
        aliases=["new desk"], fee=None, confidence="H", confirm_phone=None, source_url="https://example.org/desk",
        verified_on=dt.date(2027, 1, 5)))
    await record_edit(session, "service", "new-counselling-desk", admin, "https://example.org/desk")
    event = await session.scalar(select(MODELS["event"]).where(MODELS["event"].slug == "world-day-2026"))
    event.retired = True  # type: ignore[union-attr]
    await record_edit(session, "event", "world-day-2026", admin, None, action="content_retired")
    program = await session.scalar(select(Program).where(Program.slug == "culture-nuri"))
    assert program is not None
    program.rules = {**program.rules, "amount_krw": 155000}
    await record_edit(session, "program", "culture-nuri@2026", admin, "https://www.mnuri.kr")
    canned = await session.scalar(select(MODELS["canned"]).where(MODELS["canned"].slug == "checking"))
    canned.texts = {**canned.texts, "ru": "Мы проверяем."}  # type: ignore[union-attr]
    await record_edit(session, "canned", "checking", admin, None)
    entry = await session.scalar(select(FaqEntry).where(FaqEntry.intent == "faq_visa_extension"))
    assert entry is not None
    entry.answers = {**entry.answers, "vi": "Gia hạn: gọi 1345,\nhoặc hikorea.go.kr; hỗ trợ 1577-0071."}
    entry.key_facts, entry.review_days = [*(entry.key_facts or []), "hikorea"], 180
    await record_edit(session, "faq", "faq_visa_extension", admin, None)
    session.add(FaqEntry(intent="faq_new_topic", answers={"ko": "새 답변", "en": "A new answer"},
                         fallback={"ru": "en"}, key_facts=[], sources=["https://example.org"], confidence="M",
                         verified_on=dt.date(2027, 1, 5), review_days=365, status="draft"))
    await record_edit(session, "faq", "faq_new_topic", admin, None)
    session.add_all([
        FaqExample(intent="faq_visa_extension", language="ru", text="как продлить визу в кванджу", added_by=admin),
        FaqExample(intent="faq_garbage", language="vi", text="vứt tủ lạnh ở đâu", added_by=admin),
    ])
    await session.commit()
    return admin


async def test_export_then_import_round_trips_the_content(url: str, second_url: str, repo: Path) -> None:
    first, fresh = Database(url), Database(second_url)
    try:
        async with first.session() as session:
            await seed_content(session, repo)
            await _edit_everything(session)
            written = {str(p.relative_to(repo)) for p in await export_content(session, repo)}
        assert written == {"data/services.yml", "data/events.yml", "data/programs.yml", "data/canned_replies.yml",
                           "data/faq.yml", "translations/vi/LC_MESSAGES/hamkke.po",
                           "translations/ko/LC_MESSAGES/hamkke.po", "translations/en/LC_MESSAGES/hamkke.po",
                           "nlu/ru/admin.yml", "nlu/vi/admin.yml"}
        exported = _files(repo)
        # Importing what was exported changes nothing: no row, no conflict.
        async with first.session() as session:
            assert await seed_content(session, repo) == 0
            assert await conflicts(session) == []
            before, examples = await _content(session), await _examples(session)
        # A fresh database imports the same rows.
        async with fresh.session() as session:
            await seed_content(session, repo)
            assert await _content(session) == before
            assert await _examples(session) == examples
            # ... and exports the same files.
            assert await export_content(session, repo) == []
        assert _files(repo) == exported
    finally:
        await first.dispose()
        await fresh.dispose()
    services = {r["slug"]: r for r in yaml.safe_load((repo / "data" / "services.yml").read_text(encoding="utf-8"))}
    assert services["danuri-helpline"]["phone"] == "1577-1366 (ext. 3)"
    assert "intent" in services["danuri-helpline"]  # a field the database does not keep stays
    assert "\n\n- slug: new-counselling-desk\n" in (repo / "data" / "services.yml").read_text(encoding="utf-8")
    events = {r["slug"]: r for r in yaml.safe_load((repo / "data" / "events.yml").read_text(encoding="utf-8"))}
    assert events["world-day-2026"]["retired"] is True and "retired" not in events["world-day-2025"]
    assert isinstance(events["world-day-2026"]["start_date"], dt.date)
    vi = read_catalog("vi", repo / "translations").get("faq_visa_extension")
    assert vi is not None and vi.string == "Gia hạn: gọi 1345,\nhoặc hikorea.go.kr; hỗ trợ 1577-0071."


# -- (f) admins' example questions ---------------------------------------------------------------


def _rasa_examples(path: Path) -> list[list[str]]:
    """The (intent, text) pairs Rasa's own NLU reader (which checks its schema) reads from ``path``."""
    script = ("import json, sys; from rasa.shared.nlu.training_data.loading import load_data; "
              "d = load_data(sys.argv[1]); "
              "print(json.dumps(sorted([m.get('intent'), m.get('text')] for m in d.training_examples)))")
    result = subprocess.run([str(RASA_PYTHON), "-c", script, str(path)], capture_output=True, text=True,
                            timeout=120, check=False)
    assert result.returncode == 0, result.stderr[-2000:]
    pairs: list[list[str]] = json.loads(result.stdout.strip().splitlines()[-1])
    return pairs


async def test_admin_examples_export_as_rasa_nlu_files(sqlite_url: str, repo: Path) -> None:
    db = Database(sqlite_url)
    try:
        async with db.session() as session:
            await seed_content(session, repo)
            admin = await _admin(session)
            session.add_all([
                FaqExample(intent="faq_visa_extension", language="ru", text="как продлить визу", added_by=admin),
                FaqExample(intent="faq_visa_extension", language="ru", text="  виза\nкончается  ", added_by=admin),
                FaqExample(intent="faq_garbage", language="ru", text="куда выбросить холодильник: #1?",
                           added_by=admin),
                FaqExample(intent="faq_garbage", language="vi", text="vứt tủ lạnh ở đâu", added_by=admin),
            ])
            await session.commit()
            await export_content(session, repo)
            ru, vi = repo / "nlu" / "ru" / "admin.yml", repo / "nlu" / "vi" / "admin.yml"
            assert ru.exists() and vi.exists()
            assert not (repo / "nlu" / "ko" / "admin.yml").exists() and not (repo / "nlu" / "en" / "admin.yml").exists()
            data = yaml.safe_load(ru.read_text(encoding="utf-8"))
            assert data["version"] == "3.1"
            blocks = {b["intent"]: b for b in data["nlu"]}
            assert set(blocks) == {"faq_garbage", "faq_visa_extension"}
            assert all(b["metadata"] == {"lang": "ru"} for b in blocks.values())
            assert blocks["faq_visa_extension"]["examples"] == "- как продлить визу\n- виза кончается\n"
            assert blocks["faq_garbage"]["examples"] == "- куда выбросить холодильник: #1?\n"
            if RASA_PYTHON.exists():  # Rasa's own reader (schema-checked) reads the same examples
                assert await asyncio.to_thread(_rasa_examples, ru) == [
                    ["faq_garbage", "куда выбросить холодильник: #1?"],
                    ["faq_visa_extension", "виза кончается"], ["faq_visa_extension", "как продлить визу"]]
            # The examples come back from the files into a database that lacks them, once.
            await session.execute(FaqExample.__table__.delete())
            await session.commit()
            assert await seed_content(session, repo) == 4
            assert await seed_content(session, repo) == 0
            assert ("faq_visa_extension", "ru", "виза кончается") in await _examples(session)
            # No example left in a language: its file goes.
            await session.execute(FaqExample.__table__.delete().where(FaqExample.language == "vi"))
            await session.commit()
            await export_content(session, repo, force=True)
            assert not vi.exists() and ru.exists()
    finally:
        await db.dispose()


def test_a_comment_inside_a_record_is_kept_in_its_note(tmp_path: Path) -> None:
    from hamkke.export import render_data_file

    template = ("# head\n\n- slug: culture-nuri\n  year: 2026\n  rules:\n    # why this limit\n    born_in: 2007\n"
                "\n# --- a section\n- slug: integrated-care\n  year: 2026\n  rules: {}\n")

    class Row:
        def __init__(self, slug: str, rules: dict[str, Any]) -> None:
            self.slug, self.year, self.rules, self.retired = slug, 2026, rules, False
            self.apply_from = self.apply_until = self.phone = self.website = self.source_url = None
            self.verified_on, self.confidence = None, "H"

    text = render_data_file("program", template, [Row("culture-nuri", {"born_in": 2007}), Row("integrated-care", {})])
    assert text.startswith("# head\n\n- slug: culture-nuri\n")
    assert "\n\n# --- a section\n- slug: integrated-care" in text
    records = yaml.safe_load(text)
    assert records[0]["note"] == "why this limit" and records[0]["rules"] == {"born_in": 2007}


def test_an_event_series_rule_is_exported_and_imported_back(tmp_path: Path) -> None:
    """The rule an admin set for a yearly event goes to events.yml and comes back unchanged."""
    import asyncio

    from sqlalchemy import select, update

    from hamkke.db.models import Event
    from hamkke.db.session import Database
    from hamkke.db.setup import migrate, seed
    from hamkke.export import export

    rule = {"kind": "date", "month": 5, "day": 20, "nth": 0, "weekday": 0, "festival": "new_year",
            "calendar": "ko", "offset": 0}
    first = f"sqlite+aiosqlite:///{tmp_path / 'first.db'}"
    migrate(first)
    asyncio.run(seed(first))

    async def set_rule() -> None:
        db = Database(first)
        async with db.session() as session:
            await session.execute(update(Event).where(Event.slug.like("world-day-%")).values(recurrence=rule))
            await session.commit()
        await db.dispose()

    asyncio.run(set_rule())
    out = tmp_path / "repo"
    shutil.copytree(PROJECT_ROOT / "data", out / "data")
    shutil.copytree(PROJECT_ROOT / "translations", out / "translations")
    shutil.copytree(PROJECT_ROOT / "nlu", out / "nlu")
    asyncio.run(export(first, out, force=True))
    assert "recurrence:" in (out / "data" / "events.yml").read_text(encoding="utf-8")

    async def rules_in(url: str, root: Path) -> dict[str, Any]:
        db = Database(url)
        async with db.session() as session:
            from hamkke.content import seed_content

            await seed_content(session, root=root)
            rows = (await session.execute(select(Event.slug, Event.recurrence))).all()
        await db.dispose()
        return {slug: value for slug, value in rows if value}

    second = f"sqlite+aiosqlite:///{tmp_path / 'second.db'}"
    migrate(second)
    found = asyncio.run(rules_in(second, out))
    assert found and all(value == rule for value in found.values())
    assert set(found) == {s for s in found if s.startswith("world-day-")}
