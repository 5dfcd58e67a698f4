"""Fold away differences residents make when typing the same words.

First in the pipeline, this component applies :func:`hamkke.folding.fold`
("gia hạn" and "gia han", "ещё" and "еще" become one spelling), so the
featurizers see the same word whichever way a resident typed it, in training
and at run time.
"""

from typing import Any, Dict, List, Text

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from hamkke.folding import fold


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER], is_trainable=False)
class TextFolder(GraphComponent):
    """Folds diacritics of Latin letters and Russian "ё" before tokenisation."""

    @classmethod
    def create(
        cls,
        config: Dict[Text, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> "TextFolder":
        """Create the component (it has no state)."""
        return cls()

    def _fold(self, message: Message) -> None:
        text = message.get(TEXT)
        if isinstance(text, str) and text and not text.startswith("/"):
            message.set(TEXT, fold(text))

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Fold every training example."""
        for message in training_data.training_examples:
            self._fold(message)
        return training_data

    def process(self, messages: List[Message]) -> List[Message]:
        """Fold incoming messages."""
        for message in messages:
            self._fold(message)
        return messages
