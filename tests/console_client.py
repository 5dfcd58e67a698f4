"""A staff member's browser, as far as HTTP goes: cookies, the CSRF token, JSON actions."""

from __future__ import annotations

import asyncio
import re
from typing import Any, Optional

import httpx

from hamkke.accounts import create_user
from hamkke.db.session import Database

CSRF_FIELD = re.compile(r'name="csrf" value="([^"]+)"')
CSRF_META = re.compile(r'<meta name="csrf" content="([^"]+)"')


def make_user(database_url: str, name: str, role: str = "staff", password: str = "correct horse battery",
              ui_language: str = "ko") -> int:
    """Create an account straight in the database; returns its id."""
    async def create() -> int:
        db = Database(database_url)
        try:
            async with db.session() as session:
                return (await create_user(session, name, password, role, ui_language)).id
        finally:
            await db.dispose()
    return asyncio.run(create())


def query(database_url: str, statement: Any, commit: bool = False) -> list[Any]:
    """Run one SQLAlchemy statement against a database (rows for a select)."""
    async def run() -> list[Any]:
        db = Database(database_url)
        try:
            async with db.session() as session:
                result = await session.execute(statement)
                if commit:
                    await session.commit()
                    return []
                return list(result.all())
        finally:
            await db.dispose()
    return asyncio.run(run())


class Console:
    """Signs in and acts like the console's pages do."""

    def __init__(self, base_url: str) -> None:
        self.client = httpx.Client(base_url=base_url, timeout=20, follow_redirects=False)
        self.csrf = ""

    def sign_in(self, name: str, password: str = "correct horse battery") -> httpx.Response:
        page = self.client.get("/staff/login")
        found = CSRF_FIELD.search(page.text)
        assert found, page.text
        response = self.client.post("/staff/login", data={"name": name, "password": password,
                                                          "csrf": found.group(1)})
        if response.status_code == 303:
            self.refresh_csrf()
        return response

    def refresh_csrf(self) -> None:
        page = self.client.get("/staff", headers={"accept": "text/html"})
        found = CSRF_META.search(page.text)
        assert found, page.text
        self.csrf = found.group(1)

    def act(self, path: str, data: Optional[dict[str, Any]] = None) -> httpx.Response:
        """A console action (JSON with the CSRF header), as console.js sends it."""
        return self.client.post(path, json=data or {}, headers={"X-CSRF-Token": self.csrf})

    def get(self, path: str) -> httpx.Response:
        return self.client.get(path, headers={"accept": "text/html"})

    def close(self) -> None:
        self.client.close()
