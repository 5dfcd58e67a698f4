"""Conversations written into a tracker store by Rasa's own SQLTrackerStore (in Rasa's environment),
so that deletion is tested on the rows Rasa really writes."""

from __future__ import annotations

import subprocess

from hamkke.training import RASA_PYTHON, rasa_env

_SCRIPT = """
import asyncio, sys
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import ActionExecuted, SessionStarted, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

url, sender, at = sys.argv[1], sys.argv[2], float(sys.argv[3])
dialect = url.split(":", 1)[0].split("+")[0]
store = SQLTrackerStore(Domain.empty(), dialect=dialect, host=url)
events = [SessionStarted(timestamp=at), ActionExecuted("action_listen", timestamp=at),
          UserUttered("where is immigration? 010-****-****", {"name": "faq_immigration"}, timestamp=at + 1),
          SlotSet("birth_year", 1962, timestamp=at + 2), ActionExecuted("utter_faq_immigration", timestamp=at + 3)]
asyncio.run(store.save(DialogueStateTracker.from_events(sender, events)))
"""


def write_conversation(tracker_url: str, sender: str, at: float) -> None:
    """Rasa saves a short conversation of ``sender`` whose events carry the time ``at`` (epoch seconds)."""
    subprocess.run([str(RASA_PYTHON), "-c", _SCRIPT, tracker_url, sender, str(at)], env=rasa_env(), check=True,
                   capture_output=True, timeout=120)
