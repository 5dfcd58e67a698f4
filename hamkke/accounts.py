"""Console accounts: roles, password hashes, sessions, CSRF tokens, the audit log.

Passwords are hashed with Argon2id through argon2-cffi (RFC 9106's low-memory
profile: 64 MiB, 3 passes, 4 lanes, stronger than OWASP's minimum of 19 MiB,
2 passes, 1 lane) and never logged. Sessions live in the database, so any
gateway replica can serve any request: the cookie holds a random token and
the table only its SHA-256. Signing in replaces the session (a cookie seen
before sign-in is worthless after it), a session idle for
``console_idle_minutes`` ends, and every state-changing request must carry
the session's CSRF token. Repeated failed sign-ins for one account are
slowed down: after five, each further try must wait twice as long as the
last (up to 15 minutes).

``python -m hamkke.accounts NAME ROLE`` (``make user NAME=… ROLE=…``) creates
an account, reading the password from the terminal or ``HAMKKE_USER_PASSWORD``.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import getpass
import hashlib
import hmac
import os
import re
import secrets
import sys
from dataclasses import dataclass
from typing import Any, Optional

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from hamkke.db.models import AuditEntry, StaffSession, StaffUser, as_utc, utcnow

ROLES = ("staff", "admin")
UI_LANGUAGES = ("ko", "en")
PASSWORD_MIN = 10
NAME_PATTERN = re.compile(r"^[\w.@-]{2,64}$")
FREE_FAILURES = 5
MAX_DELAY = dt.timedelta(minutes=15)

_hasher = PasswordHasher()  # Argon2id, m=64 MiB, t=3, p=4
# Checked against when the account does not exist, so both take as long.
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


class AccountError(ValueError):
    """An account that cannot be created as asked (the message says why)."""


def hash_password(password: str) -> str:
    """An Argon2id hash of ``password``."""
    return _hasher.hash(password)


async def create_user(session: AsyncSession, name: str, password: str, role: str,
                      ui_language: str = "ko") -> StaffUser:
    """Create an account (committed). Raises :class:`AccountError`."""
    name = name.strip()
    if not NAME_PATTERN.match(name):
        raise AccountError("a name is 2-64 letters, digits, '.', '@', '_' or '-'")
    if role not in ROLES:
        raise AccountError(f"role must be one of {', '.join(ROLES)}")
    if ui_language not in UI_LANGUAGES:
        raise AccountError("the console language is ko or en")
    if len(password) < PASSWORD_MIN:
        raise AccountError(f"a password has at least {PASSWORD_MIN} characters")
    if await session.scalar(select(StaffUser.id).where(func.lower(StaffUser.name) == name.lower())):
        raise AccountError(f"an account named {name!r} exists")
    user = StaffUser(name=name, password_hash=hash_password(password), role=role, ui_language=ui_language)
    session.add(user)
    await session.flush()
    session.add(AuditEntry(user_id=None, action="account_created", detail={"account": user.id, "role": role}))
    await session.commit()
    return user


@dataclass(frozen=True)
class SignIn:
    """The outcome of a sign-in: ``user`` when it worked, else ``retry_after`` (s) when slowed."""

    user: Optional[StaffUser]
    retry_after: int = 0


def _delay(failures: int) -> dt.timedelta:
    if failures < FREE_FAILURES:
        return dt.timedelta(0)
    return min(MAX_DELAY, dt.timedelta(seconds=2 ** (failures - FREE_FAILURES + 1)))


async def authenticate(session: AsyncSession, name: str, password: str) -> SignIn:
    """Check a name and password; count failures and slow repeated ones down."""
    user = await session.scalar(select(StaffUser).where(func.lower(StaffUser.name) == name.strip().lower()))
    now = utcnow()
    if user is not None and user.last_failed_at is not None:
        wait = as_utc(user.last_failed_at) + _delay(user.failed_logins) - now
        if wait > dt.timedelta(0):
            return SignIn(None, retry_after=max(1, int(wait.total_seconds() + 0.999)))
    try:
        _hasher.verify(user.password_hash if user is not None else _DUMMY_HASH, password)
        ok = user is not None and user.active
    except (VerificationError, InvalidHashError):
        ok = False
    if user is None:
        return SignIn(None)
    if not ok:
        user.failed_logins += 1
        user.last_failed_at = now
        session.add(AuditEntry(user_id=user.id, action="sign_in_failed"))
        await session.commit()
        return SignIn(None)
    if _hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.last_failed_at = None
    session.add(AuditEntry(user_id=user.id, action="signed_in"))
    await session.commit()
    return SignIn(user)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def new_session(session: AsyncSession, user_id: Optional[int]) -> tuple[str, StaffSession]:
    """A new session (committed); returns the cookie's token and the row."""
    token = secrets.token_urlsafe(32)
    row = StaffSession(id=_digest(token), user_id=user_id, csrf_token=secrets.token_urlsafe(32))
    session.add(row)
    await session.commit()
    return token, row


async def load_session(session: AsyncSession, token: str, idle: dt.timedelta) -> Optional[StaffSession]:
    """The live session behind a cookie's token, touched; ``None`` if unknown or idle too long."""
    if not token or len(token) > 128:
        return None
    row = await session.get(StaffSession, _digest(token))
    if row is None:
        return None
    now = utcnow()
    seen = as_utc(row.last_seen_at)
    if now - seen > idle:
        await session.delete(row)
        await session.commit()
        return None
    if (now - seen).total_seconds() > 30:  # touch at most twice a minute
        row.last_seen_at = now
        await session.commit()
    return row


async def end_session(session: AsyncSession, token: str) -> None:
    """Forget a session (sign-out, or the one replaced at sign-in)."""
    await session.execute(delete(StaffSession).where(StaffSession.id == _digest(token)))
    await session.commit()


def same_token(provided: Optional[str], expected: str) -> bool:
    """Compare a CSRF token in constant time."""
    return bool(provided) and hmac.compare_digest(str(provided).encode(), expected.encode())


async def audit(session: AsyncSession, user_id: Optional[int], action: str,
                conversation_id: Optional[int] = None, **detail: Any) -> None:
    """Write one audit entry (the caller commits). Never message text."""
    session.add(AuditEntry(user_id=user_id, action=action, conversation_id=conversation_id, detail=detail or None))


async def count_users(session: AsyncSession) -> int:
    """How many accounts exist."""
    return int(await session.scalar(select(func.count()).select_from(StaffUser)) or 0)


def _read_password() -> str:
    from_env = os.environ.get("HAMKKE_USER_PASSWORD")
    if from_env:
        return from_env
    if not sys.stdin.isatty():
        raise AccountError("no terminal to read the password from: set HAMKKE_USER_PASSWORD")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Again: "):
        raise AccountError("the two passwords differ")
    return first


def main(argv: Optional[list[str]] = None) -> int:
    """Create an account from the command line."""
    parser = argparse.ArgumentParser(description="Create a staff or admin account for the console.")
    parser.add_argument("name")
    parser.add_argument("role", choices=ROLES)
    parser.add_argument("--language", choices=UI_LANGUAGES, default="ko", help="the console's language")
    args = parser.parse_args(argv)

    from hamkke.config import get_settings
    from hamkke.db.session import Database
    from hamkke.db.setup import migrate

    async def create(password: str) -> StaffUser:
        db = Database(get_settings().database_url)
        try:
            async with db.session() as session:
                return await create_user(session, args.name, password, args.role, args.language)
        finally:
            await db.dispose()

    try:
        password = _read_password()
        migrate(get_settings().database_url)
        user = asyncio.run(create(password))
    except AccountError as exc:
        print(f"!! {exc}", file=sys.stderr)
        return 2
    print(f"==> Account {user.name!r} ({user.role}) created. Sign in at /staff/login.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
