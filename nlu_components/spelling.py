"""Read a mistyped word as the training word it is one slip away from.

Residents type on phones, fast: "страхховка", "насиилие", "агентсвто",
"pasport". Character n-grams carry part of such a word, but its word
features are lost. This component, right after the tokenizer, learns the
words of the training examples and how often each occurs; at run time a
word it has never seen, of at least ``min_length`` letters, is read as the
most frequent training word one edit away (a letter deleted, inserted,
replaced, or two neighbours swapped: the Damerau distance of one). The
correction goes into the token's lemma, which the count featurizers read;
the text the resident wrote is left as it is.

Hangul words are left alone: one syllable changed is another word in
Korean, not a slip ("신고" and "신청").

The vocabulary is stored as JSON (word and count), never as a pickle.
"""

from __future__ import annotations

import json
import logging
from collections import Counter
from typing import Any, Dict, Iterable, List, Optional, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import TOKENS_NAMES
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from hamkke.scripts import script

logger = logging.getLogger(__name__)

VOCABULARY_FILE = "spelling_vocabulary.json"


def one_edit(word: str, alphabet: Iterable[str]) -> set[str]:
    """Every string one deletion, swap, replacement or insertion away from ``word``."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    letters = list(alphabet)
    deletes = {a + b[1:] for a, b in splits if b}
    swaps = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1}
    replaces = {a + c + b[1:] for a, b in splits if b for c in letters if c != b[0]}
    inserts = {a + c + b for a, b in splits for c in letters}
    return (deletes | swaps | replaces | inserts) - {word}


class Speller:
    """The most frequent known word one edit away from an unknown one."""

    def __init__(self, counts: Dict[str, int], min_length: int = 4) -> None:
        self.counts = counts
        self.min_length = min_length
        # Letters per script, so a Cyrillic word is only edited with Cyrillic letters.
        self._alphabets: Dict[str, set[str]] = {}
        for word in counts:
            for ch in word:
                self._alphabets.setdefault(script(ch), set()).add(ch)

    def correct(self, word: str) -> Optional[str]:
        """The known word ``word`` is taken for, or None when it is known or too far."""
        if word in self.counts or len(word) < self.min_length or not word.isalpha():
            return None
        scripts = {script(ch) for ch in word}
        if len(scripts) != 1 or "hangul" in scripts:
            return None
        candidates = [w for w in one_edit(word, self._alphabets.get(scripts.pop(), ())) if w in self.counts]
        if not candidates:
            return None
        return max(candidates, key=lambda w: (self.counts[w], w))


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class SpellingCorrector(GraphComponent):
    """Sets the lemma of a mistyped word to the training word it was meant to be."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        """Defaults (config.yml may override each)."""
        return {
            # Shorter words are left alone: one edit turns them into other words.
            "min_length": 4,
        }

    def __init__(
        self,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        counts: Optional[Dict[str, int]] = None,
    ) -> None:
        self.component_config = {**self.get_default_config(), **config}
        self._model_storage = model_storage
        self._resource = resource
        self.speller = Speller(counts, int(self.component_config["min_length"])) if counts else None

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "SpellingCorrector":
        """A corrector that knows no words yet."""
        return cls(config, model_storage, resource)

    @staticmethod
    def _words(message: Message) -> List[str]:
        return [token.text.lower() for token in message.get(TOKENS_NAMES[TEXT]) or []]

    def train(self, training_data: TrainingData) -> Resource:
        """Count the words of every training example."""
        counts: Counter[str] = Counter()
        for example in training_data.training_examples:
            if example.get(TEXT):
                counts.update(self._words(example))
        with self._model_storage.write_to(self._resource) as directory:
            (directory / VOCABULARY_FILE).write_text(json.dumps(dict(counts), ensure_ascii=False), encoding="utf-8")
        return self._resource

    @classmethod
    def load(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> "SpellingCorrector":
        """Read the vocabulary back (a corrector that changes nothing if there is none)."""
        try:
            with model_storage.read_from(resource) as directory:
                counts = json.loads((directory / VOCABULARY_FILE).read_text(encoding="utf-8"))
        except (ValueError, FileNotFoundError):
            logger.warning("SpellingCorrector: no vocabulary found; words are read as typed")
            counts = None
        return cls(config, model_storage, resource, counts)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Training words are known words: nothing to correct."""
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Set the lemma of each unknown word one slip away from a known one."""
        if self.speller is None:
            return messages
        for message in messages:
            for token in message.get(TOKENS_NAMES[TEXT]) or []:
                known = self.speller.correct(token.text.lower())
                if known is not None:
                    token.lemma = known
        return messages
