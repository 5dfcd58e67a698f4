"""Readable content files and their import into the database, without losing an admin's edit.

``data/services.yml``, ``events.yml``, ``programs.yml`` and
``canned_replies.yml`` are the repository's services, events, benefit
programmes and canned replies; ``data/faq.yml`` holds the facts of each FAQ
entry, whose answers are the catalog messages of the same key
(``translations/<lang>/LC_MESSAGES/hamkke.po``); ``nlu/<lang>/admin.yml`` the
example questions admins added. Every record carries its source and the date
it was verified.

Importing (:func:`seed_content`, which ``make run`` runs at every start)
matches a record by its key (a slug; ``slug@year`` for a programme; the
intent for an FAQ entry) and keeps, per record, the hash of the
repository's values at their last import (:class:`ContentOrigin`):

- a new record is inserted;
- a record nobody changed in the database since its last import takes the
  repository's values when they changed;
- a record an admin changed keeps the admin's values. When the repository's
  record changed too, it is either equal to the admin's values (the admin's
  edit was exported and committed: nothing to do) or it is a *conflict*: the
  repository's record is kept in ``ContentOrigin.conflict`` for an admin to
  resolve (:func:`conflicts`, :func:`resolve_conflict`), never applied
  silently;
- a record retired by an admin stays retired.

``make export`` (:mod:`hamkke.export`) writes the database's content back
to the same files, so export then import changes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any, Literal, Optional

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hamkke import SUPPORTED_LANGUAGES
from hamkke.accounts import audit
from hamkke.config import PROJECT_ROOT
from hamkke.db.models import Base, CannedReply, ContentOrigin, Event, FaqEntry, FaqExample, Program, Service, utcnow
from hamkke.eligibility import load_programs
from hamkke.hours import HoursError, parse
from hamkke.i18n import read_catalog
from hamkke.provenance import bump_version, record_hash

log = logging.getLogger(__name__)

DATA_DIR = PROJECT_ROOT / "data"

CATEGORIES = ("visa", "labour", "health", "family", "legal", "korean_classes", "emergency",
              "community", "welfare")
DISTRICTS = ("dong-gu", "seo-gu", "nam-gu", "buk-gu", "gwangsan-gu")
EVENT_TOPICS = ("community", "culture", "commemoration", "education", "human_rights", "festival")
FAQ_STATUSES = ("published", "draft", "retired")
DEFAULT_REVIEW_DAYS = 365
ADMIN_EXAMPLES_FILE = "admin.yml"


_Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml when there is one: 20 times faster


def read_yaml(text: str) -> Any:
    """YAML as ``yaml.safe_load`` reads it (the same values, read by libyaml when installed)."""
    return yaml.load(text, Loader=_Loader)  # noqa: S506 (a safe loader)


class ContentError(ValueError):
    """A content file that breaks the rules (a missing language, a missing source)."""


def _root(root: Optional[Path]) -> Path:
    return PROJECT_ROOT if root is None else Path(root)


def data_file(name: str, root: Optional[Path] = None) -> Path:
    """Where the data file ``name`` (``services.yml``) lives under ``root`` (the project by default)."""
    return _root(root) / "data" / name


def admin_examples_path(lang: str, root: Optional[Path] = None) -> Path:
    """Where the example questions admins added in ``lang`` are written (``nlu/<lang>/admin.yml``)."""
    return _root(root) / "nlu" / lang / ADMIN_EXAMPLES_FILE


def _as_date(value: Any) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value))


def _check_common(record: dict[str, Any], required: Sequence[str], translated: Sequence[str]) -> None:
    slug = record.get("slug", "?")
    missing = [key for key in required if not record.get(key)]
    if missing:
        raise ContentError(f"{slug}: missing {', '.join(missing)}")
    for name in translated:
        value = record.get(name)
        if value is None:
            continue
        absent = [lang for lang in SUPPORTED_LANGUAGES if not (isinstance(value, dict) and value.get(lang))]
        if absent:
            raise ContentError(f"{slug}.{name}: no {', '.join(absent)}")
    if record["confidence"] not in ("H", "M", "L"):
        raise ContentError(f"{slug}: confidence must be H, M or L")
    record["verified_on"] = _as_date(record["verified_on"])
    if record.get("district") not in (None, *DISTRICTS):
        raise ContentError(f"{slug}: unknown district {record['district']!r}")
    odd = [alias for alias in record.get("aliases") or [] if not isinstance(alias, str)]
    if odd:  # YAML reads an unquoted 5.18 as a number: quote it ('5.18')
        raise ContentError(f"{slug}: aliases must be text, quote {', '.join(repr(a) for a in odd)}")


def _unique(records: list[dict[str, Any]], field: str = "slug") -> None:
    slugs = [r[field] for r in records]
    duplicates = {s for s in slugs if slugs.count(s) > 1}
    if duplicates:
        raise ContentError(f"duplicate {field}s: {', '.join(sorted(duplicates))}")


def load_services(path: Path = DATA_DIR / "services.yml") -> list[dict[str, Any]]:
    """Read and check the services file."""
    records: list[dict[str, Any]] = read_yaml(path.read_text(encoding="utf-8")) or []
    for record in records:
        if "categories" not in record and record.get("category"):
            record["categories"] = [record["category"]]
        _check_common(record, ("slug", "categories", "name", "description", "source_url", "verified_on",
                               "confidence"), ("name", "description", "address", "hours", "fee"))
        unknown = [c for c in record["categories"] if c not in CATEGORIES]
        if unknown:
            raise ContentError(f"{record['slug']}: unknown categories {unknown}")
        record["category"] = record["categories"][0]
        try:
            parse(record.get("opening_hours") or [])
        except HoursError as exc:
            raise ContentError(f"{record['slug']}: {exc}") from exc
        if record["confidence"] == "L" and not record.get("confirm_phone"):
            raise ContentError(f"{record['slug']}: confidence L needs a confirm_phone")
    _unique(records)
    return records


def load_events(path: Path = DATA_DIR / "events.yml") -> list[dict[str, Any]]:
    """Read and check the events file."""
    records: list[dict[str, Any]] = read_yaml(path.read_text(encoding="utf-8")) or []
    for record in records:
        _check_common(record, ("slug", "topics", "start_date", "name", "description", "source_url",
                               "verified_on", "confidence"), ("name", "description", "venue"))
        record["start_date"] = _as_date(record["start_date"])
        record["end_date"] = _as_date(record.get("end_date") or record["start_date"])
        if record["end_date"] < record["start_date"]:
            raise ContentError(f"{record['slug']}: ends before it starts")
        if record.get("date_precision", "exact") not in ("exact", "approximate"):
            raise ContentError(f"{record['slug']}: date_precision must be exact or approximate")
        unknown = [topic for topic in record["topics"] if topic not in EVENT_TOPICS]
        if unknown:
            raise ContentError(f"{record['slug']}: unknown topics {unknown}")
    _unique(records)
    return records


def load_canned_replies(path: Path = DATA_DIR / "canned_replies.yml") -> list[dict[str, Any]]:
    """The canned replies file, checked: every text in all four languages, a title in ko and en."""
    records = read_yaml(path.read_text(encoding="utf-8")) or []
    for record in records:
        slug = record.get("slug", "?")
        texts, title = record.get("texts") or {}, record.get("title") or {}
        absent = [lang for lang in SUPPORTED_LANGUAGES if not texts.get(lang)]
        if absent or not all(title.get(lang) for lang in ("ko", "en")):
            raise ContentError(f"canned reply {slug}: needs texts in {', '.join(SUPPORTED_LANGUAGES)} "
                               f"and a title in ko and en")
    _unique(records)
    return list(records)


def load_program_records(path: Path = DATA_DIR / "programs.yml") -> list[dict[str, Any]]:
    """The programmes file (checked by :func:`hamkke.eligibility.load_programs`), rules as JSON stores
    them (keys become strings), so an unchanged file compares equal to its rows. Read afresh each
    time (``load_programs`` keeps what it read once per path)."""
    read = getattr(load_programs, "__wrapped__", load_programs)
    return [{**r, "rules": json.loads(json.dumps(r["rules"]))} for r in read(path)]


def _catalog_answers(root: Optional[Path]) -> dict[str, dict[str, str]]:
    """Every non-empty ``msgstr`` of every catalog, by key, then by language."""
    answers: dict[str, dict[str, str]] = {}
    for lang in SUPPORTED_LANGUAGES:
        for message in read_catalog(lang, _root(root) / "translations"):
            if message.id and isinstance(message.id, str) and isinstance(message.string, str) and message.string:
                answers.setdefault(message.id, {})[lang] = message.string
    return answers


def load_faq(root: Optional[Path] = None) -> list[dict[str, Any]]:
    """The FAQ entries: the facts of ``data/faq.yml`` with each entry's answers, the catalog
    message of the intent's key in every language that has it."""
    path = data_file("faq.yml", root)
    records: list[dict[str, Any]] = read_yaml(path.read_text(encoding="utf-8")) or []
    catalogs = _catalog_answers(root)
    for record in records:
        intent = record.get("intent")
        if not intent or not isinstance(intent, str):
            raise ContentError(f"{path.name}: a record without an intent")
        if record.get("confidence") not in ("H", "M", "L"):
            raise ContentError(f"{intent}: confidence must be H, M or L")
        if not record.get("verified_on"):
            raise ContentError(f"{intent}: missing verified_on")
        record["verified_on"] = _as_date(record["verified_on"])
        status = "retired" if record.get("retired") else record.get("status", "published")
        if status not in FAQ_STATUSES:
            raise ContentError(f"{intent}: status must be one of {', '.join(FAQ_STATUSES)}")
        record["status"] = status
        record["review_days"] = int(record.get("review_days") or DEFAULT_REVIEW_DAYS)
        record["answers"] = dict(catalogs.get(intent, {}))
        record["labels"] = dict(catalogs.get(f"topic_{intent}", {})) or None
    _unique(records, "intent")
    return records


def _example_text(text: str) -> str:
    """An example question as one line (how the NLU file writes it)."""
    return " ".join(text.split())


def load_admin_examples(root: Optional[Path] = None) -> list[tuple[str, str, str]]:
    """The example questions of ``nlu/<lang>/admin.yml``: (intent, language, text)."""
    out: list[tuple[str, str, str]] = []
    for lang in SUPPORTED_LANGUAGES:
        path = admin_examples_path(lang, root)
        if not path.exists():
            continue
        data = read_yaml(path.read_text(encoding="utf-8")) or {}
        for block in data.get("nlu") or []:
            if "intent" not in block:
                continue
            for line in str(block.get("examples") or "").splitlines():
                line = line.strip()
                if line.startswith("- ") and _example_text(line[2:]):
                    out.append((str(block["intent"]), lang, _example_text(line[2:])))
    return out


# -- what a record is, per kind ------------------------------------------------------------------

Kind = Literal["service", "event", "program", "canned", "faq"]

_SERVICE_COLUMNS = (
    "category", "categories", "district", "phone", "website", "name", "description", "address", "hours",
    "opening_hours", "latitude", "longitude", "languages_served", "aliases", "fee", "confidence", "confirm_phone",
    "source_url", "verified_on",
)
_EVENT_COLUMNS = (
    "topics", "aliases", "start_date", "end_date", "start_time", "date_precision", "district", "phone", "website",
    "name", "description", "venue", "confidence", "source_url", "verified_on", "recurrence",
)
_PROGRAM_COLUMNS = (
    "apply_from", "apply_until", "phone", "website", "rules", "confidence", "source_url", "verified_on",
)
_CANNED_COLUMNS = ("title", "texts")
_FAQ_COLUMNS = ("answers", "labels", "fallback", "key_facts", "sources", "confidence", "verified_on", "review_days",
                "status")

MODELS: dict[str, type[Base]] = {
    "service": Service, "event": Event, "program": Program, "canned": CannedReply, "faq": FaqEntry,
}
# The columns that are the content of a record (compared, hashed, exported); ``retired`` is the
# flag of the rows that have one (an FAQ entry's is its status).
CONTENT_COLUMNS: dict[str, tuple[str, ...]] = {
    "service": (*_SERVICE_COLUMNS, "retired"),
    "event": (*_EVENT_COLUMNS, "retired"),
    "program": (*_PROGRAM_COLUMNS, "retired"),
    "canned": (*_CANNED_COLUMNS, "retired"),
    "faq": _FAQ_COLUMNS,
}
KEY_COLUMNS: dict[str, tuple[str, ...]] = {
    "service": ("slug",), "event": ("slug",), "program": ("slug", "year"), "canned": ("slug",), "faq": ("intent",),
}
_DATE_COLUMNS = frozenset({"verified_on", "start_date", "end_date", "apply_from", "apply_until"})


def record_key(kind: str, record: Any) -> str:
    """The key of a record or a row: its slug, ``slug@year`` for a programme, the intent for an FAQ entry."""
    def get(name: str) -> Any:
        return record[name] if isinstance(record, dict) else getattr(record, name)

    if kind == "program":
        return f"{get('slug')}@{get('year')}"
    return str(get("intent" if kind == "faq" else "slug"))


def _key_values(kind: str, key: str) -> dict[str, Any]:
    if kind == "program":
        slug, year = key.rsplit("@", 1)
        return {"slug": slug, "year": int(year)}
    return {KEY_COLUMNS[kind][0]: key}


def repo_values(kind: str, record: dict[str, Any]) -> dict[str, Any]:
    """The content columns of a repository record (as the loaders return it)."""
    values = {column: record.get(column) for column in CONTENT_COLUMNS[kind]}
    if kind == "event" and values["date_precision"] is None:
        values["date_precision"] = "exact"
    if kind == "faq":
        values["answers"] = dict(record.get("answers") or {})
    else:
        values["retired"] = bool(record.get("retired"))
    return values


def row_values(kind: str, row: Any) -> dict[str, Any]:
    """The content columns of a row."""
    return {column: getattr(row, column) for column in CONTENT_COLUMNS[kind]}


def json_safe(values: dict[str, Any]) -> dict[str, Any]:
    """Values as JSON stores them: dates as ISO text, mapping keys as text."""
    result: dict[str, Any] = json.loads(json.dumps(values, ensure_ascii=False, default=_iso))
    return result


def _iso(value: Any) -> str:
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


def from_json(values: dict[str, Any]) -> dict[str, Any]:
    """JSON-safe values (a stored conflict) as the columns take them: ISO text back to dates."""
    return {column: (_as_date(value) if column in _DATE_COLUMNS and value is not None else value)
            for column, value in values.items()}


def is_retired(kind: str, values: dict[str, Any]) -> bool:
    """Whether these content values say the record is retired."""
    return values.get("status") == "retired" if kind == "faq" else bool(values.get("retired"))


def _retired(kind: str, values: dict[str, Any]) -> dict[str, Any]:
    return {**values, "status": "retired"} if kind == "faq" else {**values, "retired": True}


def _apply(row: Any, kind: str, values: dict[str, Any]) -> None:
    for column, value in values.items():
        setattr(row, column, value)
    if kind == "faq":
        row.updated_at = utcnow()


def _changed_here(kind: str, row: Any, origin: Optional[ContentOrigin], current: dict[str, Any]) -> bool:
    """Whether the row was changed in the database since the repository's record was last imported.

    With the hash of that record, a row that differs from it was changed here (by an admin, through
    :func:`hamkke.provenance.record_edit` or not: no edit is ever lost). Without it (a database
    seeded before provenance, a record an admin created), an edit recorded by an admin, or a row
    saved by someone (``updated_by``: canned replies edited in the staff console) counts."""
    if origin is not None and origin.repo_hash is not None:
        return record_hash(current) != origin.repo_hash
    if origin is not None and origin.edited_at is not None:
        return True
    return getattr(row, "updated_by", None) is not None


async def import_records(session: AsyncSession, kind: str, records: Iterable[dict[str, Any]]) -> int:
    """Import the repository's records of one kind (see the module's rules). Returns how many
    rows were inserted or updated; conflicts are stored and logged. The caller commits."""
    model = MODELS[kind]
    rows = {record_key(kind, row): row for row in (await session.scalars(select(model))).all()}
    origins = {o.key: o for o in (await session.scalars(select(ContentOrigin).where(ContentOrigin.kind == kind)))}
    changed = 0
    for record in records:
        key = record_key(kind, record)
        values = repo_values(kind, record)
        repo = json_safe(values)
        repo_hash = record_hash(repo)
        row, origin = rows.get(key), origins.get(key)
        if origin is None:
            origin = ContentOrigin(kind=kind, key=key, retired=False)
            session.add(origin)
            origins[key] = origin
        if row is None:
            if origin.retired:  # marked retired by an admin: it comes back retired
                values = _retired(kind, values)
            row = model(**_key_values(kind, key), **values)
            session.add(row)
            rows[key] = row
            origin.repo_hash, origin.conflict = repo_hash, None
            changed += 1
            continue
        current = json_safe(row_values(kind, row))
        if current == repo:  # nothing to change (an admin's edit exported and committed, or none)
            if origin.repo_hash != repo_hash:
                origin.repo_hash = repo_hash
            if origin.conflict is not None:
                origin.conflict = None
            continue
        if not _changed_here(kind, row, origin, current):
            # Retired by an admin, or retired with no record of the repository's values: stays retired.
            if origin.retired or (origin.repo_hash is None and is_retired(kind, current)):
                values = _retired(kind, values)
            _apply(row, kind, values)
            origin.repo_hash, origin.conflict = repo_hash, None
            changed += 1
            continue
        if origin.repo_hash == repo_hash:
            continue  # the repository's record is unchanged since its last import: the admin's values stand
        # The repository changed after an admin's edit, to something else: keep the admin's values
        # and keep the repository's record for an admin to resolve.
        origin.repo_hash, origin.conflict = repo_hash, repo
        log.warning("%s %s: the repository's record changed after an admin's edit; the admin's values are "
                    "kept and the conflict waits for an admin", kind, key)
    return changed


async def conflicts(session: AsyncSession) -> list[ContentOrigin]:
    """Records whose repository record changed after an admin's edit, waiting for an admin."""
    rows = (await session.scalars(select(ContentOrigin).order_by(ContentOrigin.kind, ContentOrigin.key))).all()
    return [row for row in rows if row.conflict]


async def content_row(session: AsyncSession, kind: str, key: str) -> Any:
    """The row of one content record (``slug@year`` for a programme, the intent for an FAQ entry)."""
    model = MODELS[kind]
    where = [getattr(model, column) == value for column, value in _key_values(kind, key).items()]
    return await session.scalar(select(model).where(*where))


async def resolve_conflict(session: AsyncSession, kind: str, key: str, take: Literal["repo", "admin"],
                           user_id: Optional[int]) -> ContentOrigin:
    """Resolve a conflict: ``take="repo"`` applies the repository's record to the row (a record
    retired by an admin stays retired) and raises the content version; ``take="admin"`` keeps the
    row. Either way the conflict is cleared and the choice audited. The caller commits."""
    if take not in ("repo", "admin"):
        raise ValueError(f"take must be 'repo' or 'admin', not {take!r}")
    if kind not in MODELS:
        raise ValueError(f"unknown content kind {kind!r}")
    origin = await session.scalar(select(ContentOrigin).where(ContentOrigin.kind == kind, ContentOrigin.key == key))
    if origin is None or not origin.conflict:
        raise LookupError(f"no conflict for {kind} {key}")
    repo = dict(origin.conflict)
    if take == "repo":
        values = from_json(repo)
        row = await content_row(session, kind, key)
        if row is None:
            session.add(MODELS[kind](**_key_values(kind, key), **values))
        else:
            if origin.retired or is_retired(kind, row_values(kind, row)):
                values = _retired(kind, values)
            _apply(row, kind, values)
        origin.repo_hash = record_hash(repo)
        await bump_version(session)
    origin.conflict = None
    await audit(session, user_id, "content_conflict_resolved", kind=kind, key=key, take=take)
    await session.flush()
    return origin


# -- seeding -------------------------------------------------------------------------------------


async def seed_services(session: AsyncSession, records: list[dict[str, Any]]) -> int:
    """Import services (see the module's rules) and commit. Returns how many rows changed."""
    changed = await import_records(session, "service", records)
    await session.commit()
    return changed


async def seed_canned_replies(session: AsyncSession, records: Optional[list[dict[str, Any]]] = None) -> int:
    """Import the canned replies; one edited in the console keeps its text. The caller commits."""
    return await import_records(session, "canned", load_canned_replies() if records is None else records)


async def seed_faq(session: AsyncSession, root: Optional[Path] = None) -> int:
    """Import the FAQ entries (``data/faq.yml`` and the catalogs' answers). The caller commits."""
    return await import_records(session, "faq", load_faq(root))


async def seed_examples(session: AsyncSession, root: Optional[Path] = None) -> int:
    """Add the example questions of ``nlu/<lang>/admin.yml`` missing from the database (they were
    exported from it); never removes one. The caller commits."""
    known = {(e.intent, e.language, _example_text(e.text)) for e in (await session.scalars(select(FaqExample)))}
    added = 0
    for intent, lang, text in load_admin_examples(root):
        if (intent, lang, text) not in known:
            session.add(FaqExample(intent=intent, language=lang, text=text, origin="admin"))
            known.add((intent, lang, text))
            added += 1
    return added


async def seed_content(session: AsyncSession, root: Optional[Path] = None) -> int:
    """Import services, events, programmes, canned replies, FAQ entries and admins' example
    questions from the files under ``root`` (the project by default). Returns rows changed."""
    changed = await import_records(session, "service", load_services(data_file("services.yml", root)))
    changed += await import_records(session, "event", load_events(data_file("events.yml", root)))
    changed += await import_records(session, "program", load_program_records(data_file("programs.yml", root)))
    changed += await import_records(session, "canned", load_canned_replies(data_file("canned_replies.yml", root)))
    changed += await seed_faq(session, root)
    changed += await seed_examples(session, root)
    if changed:
        await bump_version(session)
    await session.commit()
    return changed


def intent_to_service() -> dict[str, str]:
    """Which service answers which intent (``intent:`` in services.yml)."""
    return {r["intent"]: r["slug"] for r in load_services() if r.get("intent")}
