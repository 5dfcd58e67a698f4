"""What every webhook-style channel endpoint checks before it reads a payload."""

from __future__ import annotations

import hmac
import json
from typing import Annotated, Any, Union

from fastapi import Path, Request
from fastapi.responses import JSONResponse

# A row's id in a path: the range of the databases' INTEGER columns (PostgreSQL's is 32 bits), so that
# a larger number is a 422 at the door, not an overflow inside the database driver.
RowId = Annotated[int, Path(ge=1, le=2_147_483_647)]
# A programme year in a path.
Year = Annotated[int, Path(ge=1900, le=2999)]

REQUEST_BYTES_MAX = 1024 * 1024


def error(status: int, message: str) -> JSONResponse:
    """A short JSON error."""
    return JSONResponse({"error": message}, status_code=status)


def same_secret(provided: str, expected: str) -> bool:
    """Compare a secret in constant time."""
    return hmac.compare_digest(provided.encode(), expected.encode())


async def read_json(request: Request, limit: int = REQUEST_BYTES_MAX) -> Union[Any, JSONResponse]:
    """The request's JSON body, or the error to answer: 413 over ``limit`` bytes, 400 if not JSON.

    The declared length is checked first and the body is read in chunks, so a
    large body is refused without being held in memory.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        return error(413, "request too large")
    raw = bytearray()
    async for chunk in request.stream():
        raw.extend(chunk)
        if len(raw) > limit:
            return error(413, "request too large")
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        return error(400, "body is not JSON")
    except RecursionError:  # tens of thousands of nested arrays or objects
        return error(400, "body is nested too deeply")

