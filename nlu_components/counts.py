"""Rasa's ``CountVectorsFeaturizer``, keeping the digits of numbers.

Rasa 3.6's featurizer rewrites every number to ``__NUMBER__`` before counting,
so "is 119 free to call" and "is 1345 free to call" had the same word
features. For Hamkke numbers are topics: 112 and 119 are emergencies, 1345 is
the immigration helpline, 1350 the labour ministry, 132 legal aid, 1339 the
disease line, and residents often ask about them by number alone ("what is
1339"). This featurizer counts them as the words they are.
"""

from __future__ import annotations

from typing import List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from rasa.shared.nlu.constants import ACTION_NAME, INTENT, INTENT_RESPONSE_KEY, TEXT


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class NumberKeepingCountVectorsFeaturizer(CountVectorsFeaturizer):
    """``CountVectorsFeaturizer`` without the number-to-``__NUMBER__`` rewrite."""

    def _process_tokens(self, tokens: List[Text], attribute: Text = TEXT) -> List[Text]:
        if attribute in (INTENT, ACTION_NAME, INTENT_RESPONSE_KEY):
            return tokens
        return [text.lower() for text in tokens] if self.lowercase else list(tokens)
