"""The admins' page for a resident's access or deletion request (``/admin/privacy``): what is stored,
all of it as a readable file (audited), all of it deleted (audited); staff get 403."""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from bot.app import create_app
from hamkke.config import Settings
from hamkke.db.models import AuditEntry, Resident
from tests.console_client import Console, make_user, query
from tests.helpers import Gateway, LocalServer, kakao_request
from tests.rasa_tracker import write_conversation


@pytest.fixture
def site(settings: Settings, tmp_path: Path) -> Iterator[tuple[str, Settings]]:
    configured = dataclasses.replace(settings, rasa_tracker_url=f"sqlite:///{tmp_path / 'tracker.db'}")
    with LocalServer(lambda _m, _p, _b: (200, [{"custom": {"key": "greet"}}])) as rasa:
        configured = dataclasses.replace(configured, rasa_url=rasa.url, actions_url=rasa.url)
        with Gateway(create_app(configured)) as gateway:
            make_user(configured.database_url, "kim", "staff")
            make_user(configured.database_url, "park", "admin")
            yield gateway.url, configured


def _console(url: str, name: str) -> Console:
    console = Console(url)
    assert console.sign_in(name).status_code == 303
    return console


def test_an_admin_exports_and_deletes_one_resident_s_data(site: tuple[str, Settings]) -> None:
    url, settings = site
    for text in ("Здравствуйте", "мой телефон 010-1234-5678, где продлить визу?"):
        response = httpx.post(f"{url}/kakao/skill", json=kakao_request(text, "asks-for-data"), timeout=20)
        assert response.status_code == 200
    (resident,) = query(settings.database_url, select(Resident.id).where(Resident.channel_user_key == "asks-for-data"))
    write_conversation(settings.rasa_tracker_url, f"r{resident[0]}", time.time())

    staff = _console(url, "kim")
    assert staff.get("/admin/privacy?channel=kakao&user=asks-for-data").status_code == 403
    assert staff.client.get(f"/admin/privacy/{resident[0]}/export").status_code == 403
    assert staff.client.post(f"/admin/privacy/{resident[0]}/delete", data={"csrf": staff.csrf}).status_code == 403

    admin = _console(url, "park")
    page = admin.get("/admin/privacy?channel=kakao&user=asks-for-data")
    assert page.status_code == 200 and 'id="privacy-export"' in page.text
    exported = admin.client.get(f"/admin/privacy/{resident[0]}/export")
    assert exported.status_code == 200 and "attachment" in exported.headers["content-disposition"]
    record: dict[str, Any] = json.loads(exported.text)
    assert record["resident"]["channel_user_key"] == "asks-for-data"
    texts = [m["text"] for m in record["messages"]]
    assert "Здравствуйте" in texts and len(texts) == 4
    assert "010-1234-5678" not in exported.text  # masked, as stored
    assert len(record["assistant_memory"]) == 5 and record["retention"]["days"] == 180
    (audit,) = query(settings.database_url, select(AuditEntry.detail).where(AuditEntry.action == "resident_exported"))
    assert audit[0] == {"resident": resident[0], "messages": 4, "assistant_memory": 5}

    # A deletion cannot be undone: without the user id typed again (or with another one) nothing goes.
    for typed in ({}, {"confirm": "someone-else"}):
        refused = admin.client.post(f"/admin/privacy/{resident[0]}/delete", data={"csrf": admin.csrf, **typed})
        assert refused.status_code == 400 and 'id="privacy-not-confirmed"' in refused.text
        assert query(settings.database_url, select(Resident.id).where(Resident.channel_user_key == "asks-for-data"))
    deleted = admin.client.post(f"/admin/privacy/{resident[0]}/delete",
                                data={"csrf": admin.csrf, "confirm": "asks-for-data"})
    assert deleted.status_code == 303
    assert 'id="privacy-none"' in admin.get("/admin/privacy?channel=kakao&user=asks-for-data").text
    assert query(settings.database_url, select(Resident.id).where(Resident.channel_user_key == "asks-for-data")) == []
    (gone,) = query(settings.database_url, select(AuditEntry.user_id, AuditEntry.detail).where(
        AuditEntry.action == "resident_forgotten"))
    assert gone[1]["reason"] == "admin_request" and gone[1]["deleted"]["rasa_events"] == 5 and gone[0] is not None
    for console in (staff, admin):
        console.close()
