"""``make export``: the database's content written back to the repository's files.

Admins edit services, events, programmes, canned replies, FAQ entries and
example questions in the database. This writes them to the files the
repository keeps them in, so they can be reviewed and committed:

- ``data/services.yml``, ``events.yml``, ``programs.yml``,
  ``canned_replies.yml`` and ``faq.yml`` (an FAQ entry's facts);
- the FAQ answers into the catalogs (``msgstr`` of the intent's key in
  ``translations/<lang>/LC_MESSAGES/hamkke.po``);
- the example questions admins added into ``nlu/<lang>/admin.yml`` (Rasa's
  NLU format; removed when a language has none).

A data file keeps its comments (the leading block and the ones between
records) and each record its order of fields and the fields the database
does not keep (a service's ``intent``, a ``note``); a comment inside a record
would be lost, so its text moves to the record's ``note``. Records are
written with ``yaml.safe_dump``, one record at a time, and a file or catalog
whose content did not change is not touched: exporting a database that
nobody edited changes no file, and importing what was exported
(:func:`hamkke.content.seed_content`) changes no row.

``python -m hamkke.export [--out DIR]`` writes under ``DIR`` (the project by
default). It refuses while conflicts wait for an admin or when the files
changed since the database imported them (``make db`` imports them), unless
``--force``.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import logging
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Optional

import yaml
from babel.messages.catalog import Catalog
from babel.messages.pofile import escape, read_po, write_po
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from hamkke import SUPPORTED_LANGUAGES
from hamkke.config import PROJECT_ROOT, get_settings
from hamkke.content import (
    DEFAULT_REVIEW_DAYS,
    MODELS,
    conflicts,
    json_safe,
    load_admin_examples,
    load_canned_replies,
    load_events,
    load_faq,
    load_program_records,
    load_services,
    read_yaml,
    record_key,
    repo_values,
)
from hamkke.db.models import ContentOrigin, FaqEntry, FaqExample
from hamkke.db.session import Database
from hamkke.i18n import DOMAIN
from hamkke.provenance import record_hash

log = logging.getLogger(__name__)

YAML_WIDTH = 100_000  # never fold a text: one line per text reads and diffs best

DATA_FILES = {
    "service": "services.yml", "event": "events.yml", "program": "programs.yml",
    "canned": "canned_replies.yml", "faq": "faq.yml",
}
# The fields of a record as its file writes them, in the order a new record gets them.
FILE_FIELDS: dict[str, tuple[str, ...]] = {
    "service": ("slug", "categories", "district", "phone", "website", "confidence", "confirm_phone", "source_url",
                "verified_on", "languages_served", "aliases", "fee", "opening_hours", "latitude", "longitude",
                "name", "description", "address", "hours", "retired"),
    "event": ("slug", "topics", "aliases", "start_date", "end_date", "start_time", "date_precision", "district",
              "phone", "website", "confidence", "source_url", "verified_on", "name", "description", "venue",
              "recurrence", "retired"),
    "program": ("slug", "year", "apply_from", "apply_until", "confidence", "source_url", "verified_on", "phone",
                "website", "rules", "retired"),
    "canned": ("slug", "title", "texts", "retired"),
    "faq": ("intent", "key_facts", "confidence", "verified_on", "sources", "review_days", "fallback", "status",
            "retired"),
}
# Left out of a new record when empty.
_QUIET_WHEN_EMPTY = frozenset({"confirm_phone", "fallback", "retired", "recurrence"})

ADMIN_EXAMPLES_HEADER = (
    "# Example questions admins added in the admin pages, written by `make export` from the\n"
    "# database (hamkke.export); importing reads them back. Edit them there, not here.\n"
)


class ExportError(RuntimeError):
    """The database cannot be exported as it is (conflicts, or files it has not imported)."""


def file_values(kind: str, row: Any) -> dict[str, Any]:
    """A row as its file writes it (field -> value), in :data:`FILE_FIELDS` order."""
    values: dict[str, Any] = {}
    for name in FILE_FIELDS[kind]:
        if name == "retired":
            values[name] = row.status == "retired" if kind == "faq" else bool(row.retired)
        else:
            values[name] = getattr(row, name)
    if kind == "service":
        values["category"] = row.category  # derived from categories; written only where a record has it
    return values


def _omitted_when_absent(kind: str, name: str, value: Any, values: dict[str, Any]) -> bool:
    """Whether a field a record does not have may stay absent (the loader gives it this value)."""
    return (value is None or (name == "retired" and not value) or name == "category"
            or (name == "end_date" and value == values.get("start_date"))
            or (name == "date_precision" and value == "exact")
            or (name == "review_days" and value == DEFAULT_REVIEW_DAYS)
            or (name == "status" and value in ("published", "retired")))


def _same(a: Any, b: Any) -> bool:
    return json.dumps(a, sort_keys=True, default=str) == json.dumps(b, sort_keys=True, default=str)


def export_record(kind: str, row: Any, raw: Optional[dict[str, Any]] = None) -> dict[str, Any]:
    """The record a file writes for ``row``: the file's record ``raw`` (its order of fields, the
    fields the database does not keep, and its values where they mean the same) with the row's
    values; a new record in :data:`FILE_FIELDS` order."""
    values = file_values(kind, row)
    if raw is None:
        return {name: value for name, value in values.items()
                if name != "category" and not (name in _QUIET_WHEN_EMPTY and not value)
                and not (name == "status" and value in ("published", "retired"))
                and not (name == "review_days" and value == DEFAULT_REVIEW_DAYS)}
    record = dict(raw)
    for name, value in values.items():
        if name in raw:
            if not _same(raw[name], value):
                record[name] = value
        elif not _omitted_when_absent(kind, name, value, values):
            record[name] = value
    return record


# -- data files ----------------------------------------------------------------------------------


@dataclass
class _Chunk:
    """One record of a data file: its text, and the blank lines and comments after it."""

    body: list[str]
    after: list[str] = field(default_factory=list)

    def record(self) -> dict[str, Any]:
        parsed = read_yaml("".join(self.body))
        if not (isinstance(parsed, list) and len(parsed) == 1 and isinstance(parsed[0], dict)):
            raise ExportError(f"cannot read the record {''.join(self.body)[:80]!r}")
        return parsed[0]

    def comments(self) -> list[str]:
        """The text of the comments inside the record (lost when it is dumped again)."""
        return [line.strip().lstrip("#").strip() for line in self.body if line.lstrip().startswith("#")]


def split_records(text: str) -> tuple[str, list[_Chunk]]:
    """A data file's leading text (comments), and its records, each with what follows it."""
    lines = text.splitlines(keepends=True)
    starts = [i for i, line in enumerate(lines) if line.startswith("- ") or line.rstrip("\r\n") == "-"]
    if not starts:
        return text, []
    chunks = []
    for n, start in enumerate(starts):
        end = starts[n + 1] if n + 1 < len(starts) else len(lines)
        body = lines[start:end]
        cut = len(body)
        while cut > 1 and (not body[cut - 1].strip() or body[cut - 1].startswith("#")):
            cut -= 1
        chunks.append(_Chunk(body[:cut], body[cut:]))
    return "".join(lines[:starts[0]]), chunks


def dump_record(record: dict[str, Any]) -> str:
    """One record as a data file writes it (a one-item YAML list)."""
    return str(yaml.safe_dump([record], allow_unicode=True, sort_keys=False, width=YAML_WIDTH,
                              default_flow_style=False))


def _with_note(record: dict[str, Any], comments: list[str]) -> dict[str, Any]:
    """Keep the text of comments written inside a record in its ``note`` (the loaders ignore it)."""
    text = " ".join(c for c in comments if c)
    if not text:
        return record
    note = record.get("note")
    if note is None:
        record["note"] = text
    elif isinstance(note, dict):
        record["note"] = {**note, "comments": text}
    elif isinstance(note, list):
        record["note"] = [*note, text]
    else:
        record["note"] = f"{note} {text}"
    return record


def render_data_file(kind: str, template: str, rows: Sequence[Any]) -> str:
    """The data file of ``kind`` for ``rows``, written over the file ``template``: its records in
    its order, then the rows it does not have."""
    header, chunks = split_records(template)
    by_key = {record_key(kind, row): row for row in rows}
    items: list[str] = []
    afters: list[str] = []
    for chunk in chunks:
        raw = chunk.record()
        key = record_key(kind, raw)
        row = by_key.pop(key, None)
        if row is None:
            log.warning("%s: %s is in the file but not in the database; kept as it is", DATA_FILES[kind], key)
            items.append("".join(chunk.body))
        else:
            record = export_record(kind, row, raw)
            comments = chunk.comments()
            if comments:
                log.warning("%s: the comments inside %s are kept in its note", DATA_FILES[kind], key)
                record = _with_note(record, comments)
            items.append(dump_record(record))
        afters.append("".join(chunk.after))
    if by_key:
        gaps = [gap for gap in afters[:-1] if not gap.strip()]  # between records, without a comment
        separator = max(gaps, key=gaps.count) if gaps else ""
        trailer = afters.pop() if afters else ""
        if items:
            afters.append(separator)
        for row in by_key.values():
            items.append(dump_record(export_record(kind, row)))
            afters.append(separator)
        afters[-1] = trailer
    if header and not header.endswith("\n"):
        header += "\n"
    return header + "".join(item + after for item, after in zip(items, afters, strict=True))


# -- catalogs ------------------------------------------------------------------------------------


def _render_message(key: str, value: str, lang: str) -> str:
    """``msgid``/``msgstr`` lines of one message as Babel writes them."""
    catalog = Catalog(locale=lang)
    catalog.add(key, value)
    buf = io.BytesIO()
    write_po(buf, catalog, omit_header=True, width=0)
    lines = buf.getvalue().decode("utf-8").splitlines(keepends=True)
    lines = [line for line in lines if line.startswith(("msgid", "msgstr", '"'))]
    return "".join(lines)


def set_message(text: str, key: str, value: str, lang: str) -> str:
    """A PO file's text with the ``msgstr`` of ``key`` set to ``value``; everything else as it was.

    A key the file does not have is added at its end."""
    target = f"msgid {escape(key)}"
    lines = text.splitlines(keepends=True)
    found = [i for i, line in enumerate(lines) if line.rstrip("\r\n") == target]
    if len(found) > 1:
        raise ExportError(f"{key} is twice in the {lang} catalog")
    rendered = _render_message(key, value, lang)
    if not found:
        if not value:
            return text
        if text and not text.endswith("\n"):
            text += "\n"
        return f"{text}\n{rendered}"
    start = end = found[0]
    end += 1
    while end < len(lines) and lines[end].startswith('"'):
        end += 1
    if end >= len(lines) or not lines[end].startswith("msgstr "):
        raise ExportError(f"{key} in the {lang} catalog is not a simple message")
    end += 1
    while end < len(lines) and lines[end].startswith('"'):
        end += 1
    return "".join(lines[:start]) + rendered + "".join(lines[end:])


def render_catalog(text: str, lang: str, entries: Sequence[FaqEntry]) -> str:
    """The catalog of ``lang`` with every FAQ entry's answer in it (unchanged ones untouched)."""
    catalog = read_po(io.BytesIO(text.encode("utf-8")), locale=lang)
    wanted = {}
    for entry in entries:
        wanted[entry.intent] = (entry.answers or {}).get(lang) or ""
        label = (entry.labels or {}).get(lang) or ""
        if label or catalog.get(f"topic_{entry.intent}") is not None:
            wanted[f"topic_{entry.intent}"] = label
    for key, value in wanted.items():
        message = catalog.get(key)
        current = message.string if message is not None and isinstance(message.string, str) else ""
        if current != value:
            text = set_message(text, key, value, lang)
    check = read_po(io.BytesIO(text.encode("utf-8")), locale=lang)
    for key, value in wanted.items():
        message = check.get(key)
        if (message.string if message is not None else "") != value:
            raise ExportError(f"{key}: the {lang} catalog does not read back as written")
    return text


# -- example questions ---------------------------------------------------------------------------


def render_admin_examples(lang: str, examples: Sequence[FaqExample]) -> Optional[str]:
    """``nlu/<lang>/admin.yml`` for these examples (None when there are none)."""
    by_intent: dict[str, list[str]] = {}
    for example in examples:
        text = " ".join(example.text.split())
        if example.language == lang and text and text not in by_intent.setdefault(example.intent, []):
            by_intent[example.intent].append(text)
    blocks = [(intent, texts) for intent, texts in sorted(by_intent.items()) if texts]
    if not blocks:
        return None
    out = [ADMIN_EXAMPLES_HEADER, 'version: "3.1"\n', "nlu:\n"]
    for intent, texts in blocks:
        out.append(f"- intent: {intent}\n  metadata:\n    lang: {lang}\n  examples: |\n")
        out.extend(f"    - {text}\n" for text in texts)
    return "".join(out)


# -- the whole export ----------------------------------------------------------------------------


def _repository_records(kind: str, root: Path) -> list[dict[str, Any]]:
    data = root / "data"
    if kind == "service":
        return load_services(data / DATA_FILES[kind])
    if kind == "event":
        return load_events(data / DATA_FILES[kind])
    if kind == "program":
        return load_program_records(data / DATA_FILES[kind])
    if kind == "canned":
        return load_canned_replies(data / DATA_FILES[kind])
    return load_faq(root)


async def stale(session: AsyncSession, root: Path) -> list[str]:
    """What the files under ``root`` hold that the database has not imported (``make db`` imports it)."""
    origins = {(o.kind, o.key): o for o in (await session.scalars(select(ContentOrigin)))}
    out = []
    for kind in DATA_FILES:
        for record in _repository_records(kind, root):
            key = record_key(kind, record)
            origin = origins.get((kind, key))
            if origin is None or origin.repo_hash != record_hash(json_safe(repo_values(kind, record))):
                out.append(f"{kind} {key}")
    known = {(e.intent, e.language, " ".join(e.text.split())) for e in (await session.scalars(select(FaqExample)))}
    out.extend(f"example {lang} {intent}: {text}" for intent, lang, text in load_admin_examples(root)
               if (intent, lang, text) not in known)
    return out


def _template(out: Path, relative: str) -> str:
    for base in (out, PROJECT_ROOT):
        path = base / relative
        if path.exists():
            return path.read_text(encoding="utf-8")
    return ""


def _write(path: Path, text: Optional[str]) -> bool:
    """Write ``text`` to ``path`` if it differs (None: remove the file). Whether it changed."""
    if text is None:
        if path.exists():
            path.unlink()
            return True
        return False
    if path.exists() and path.read_text(encoding="utf-8") == text:
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return True


async def export_content(session: AsyncSession, out: Path = PROJECT_ROOT, force: bool = False) -> list[Path]:
    """Write the database's content to the files under ``out``. Returns the files changed."""
    out = Path(out)
    if not force:
        waiting = await conflicts(session)
        if waiting:
            raise ExportError("conflicts wait for an admin (resolve them first, or --force to write the "
                              "admins' values over the repository's): "
                              + ", ".join(f"{o.kind} {o.key}" for o in waiting))
        behind = await stale(session, out if (out / "data").exists() else PROJECT_ROOT)
        if behind:
            raise ExportError("the files changed since the database imported them (run `make db` first, or "
                              f"--force): {', '.join(behind[:10])}{' …' if len(behind) > 10 else ''}")
    changed: list[Path] = []
    rows: dict[str, list[Any]] = {}
    for kind, model in MODELS.items():
        rows[kind] = list((await session.scalars(select(model).order_by(model.id))).all())  # type: ignore[attr-defined]
    for kind, name in DATA_FILES.items():
        relative = f"data/{name}"
        text = render_data_file(kind, _template(out, relative), rows[kind])
        if _write(out / relative, text):
            changed.append(out / relative)
    entries: list[FaqEntry] = rows["faq"]
    for lang in SUPPORTED_LANGUAGES:
        relative = f"translations/{lang}/LC_MESSAGES/{DOMAIN}.po"
        text = render_catalog(_template(out, relative), lang, entries)
        if _write(out / relative, text):
            changed.append(out / relative)
    examples = (await session.scalars(select(FaqExample).order_by(FaqExample.intent, FaqExample.id))).all()
    for lang in SUPPORTED_LANGUAGES:
        path = out / "nlu" / lang / "admin.yml"
        if _write(path, render_admin_examples(lang, examples)):
            changed.append(path)
    return changed


async def export(database_url: str, out: Path = PROJECT_ROOT, force: bool = False) -> list[Path]:
    """Export the database at ``database_url`` to the files under ``out``."""
    db = Database(database_url)
    try:
        async with db.session() as session:
            return await export_content(session, out, force)
    finally:
        await db.dispose()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """``python -m hamkke.export``."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT, help="where to write (default: the project)")
    parser.add_argument("--database-url", default=None, help="default: the settings' database")
    parser.add_argument("--force", action="store_true",
                        help="write even while conflicts wait or the files are newer than the database")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        changed = asyncio.run(export(args.database_url or get_settings().database_url, args.out, args.force))
    except ExportError as exc:
        print(f"export refused: {exc}", file=sys.stderr)
        return 1
    for path in changed:
        print(f"wrote {path.relative_to(args.out) if path.is_relative_to(args.out) else path}")
    if not changed:
        print("nothing to export: the files already hold the database's content")
    return 0


if __name__ == "__main__":
    sys.exit(main())
