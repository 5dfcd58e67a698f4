"""Whitespace tokenisation that keeps Hangul words.

Rasa 3.6's ``WhitespaceTokenizer`` drops every word that its emoji pattern
matches in full, and that pattern's range U+24C2-U+1F251 covers all Hangul
syllables. So "how to get 외국인등록증" became ``how to get``, "где продлить
F-4 в 출입국" lost 출입국, and an all-Korean sentence, with every word
dropped, became one token of the whole text. The Korean administrative words
that Goryeoin and Vietnamese residents mix into their messages are often the
very words that tell the topic, so this tokenizer drops a word only when it
is made of symbols alone (emoji, pictographs, dingbats).
"""

from __future__ import annotations

import unicodedata
from typing import Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.whitespace_tokenizer import WhitespaceTokenizer

# Joiners and selectors that are part of emoji sequences.
_EMOJI_GLUE = {"\u200d", "\ufe0e", "\ufe0f", "\u20e3"}


def is_symbols(word: Text) -> bool:
    """True when every character of ``word`` is a symbol (Unicode category S*) or emoji glue."""
    return bool(word) and all(
        ch in _EMOJI_GLUE or unicodedata.category(ch).startswith("S") or 0x1F3FB <= ord(ch) <= 0x1F3FF
        for ch in word
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=False)
class ResidentTokenizer(WhitespaceTokenizer):
    """``WhitespaceTokenizer`` that keeps words in Hangul (and every other script)."""

    def remove_emoji(self, text: Text) -> Text:
        """Drop the word only if it is symbols alone."""
        return "" if is_symbols(text) else text
