"""Hamkke (함께): the multilingual resident assistant for Gwangju.

The ``hamkke`` package holds what the gateway (``bot``) and the action server
(``actions``) share: settings, the database, the message catalogs, language
identification and the masking of personal data.
"""

SUPPORTED_LANGUAGES: tuple[str, ...] = ("ko", "en", "ru", "vi")
"""The languages the assistant speaks, in the order they are offered."""
