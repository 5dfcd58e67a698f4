"""Admin pages: models (under /admin). Admins only (403 for staff)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
