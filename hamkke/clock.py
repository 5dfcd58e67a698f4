"""The assistant's clock: the current time, or a frozen one for tests.

Everything that depends on the date (upcoming events, "open now",
application periods) asks :func:`now`, never ``datetime.now`` directly, so
tests freeze time with ``HAMKKE_FROZEN_NOW`` (or by patching :func:`now`).
"""

from __future__ import annotations

import datetime as dt

from hamkke.config import get_settings
from hamkke.hours import SEOUL


def now() -> dt.datetime:
    """The current time (timezone-aware)."""
    frozen = get_settings().frozen_now
    if frozen:
        moment = dt.datetime.fromisoformat(frozen)
        return moment if moment.tzinfo else moment.replace(tzinfo=SEOUL)
    return dt.datetime.now(dt.timezone.utc)


def today() -> dt.date:
    """Today's date in Gwangju (Asia/Seoul)."""
    return now().astimezone(SEOUL).date()
