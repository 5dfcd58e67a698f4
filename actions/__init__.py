"""Hamkke's custom actions, served by rasa-sdk's action server.

rasa-sdk imports every module of this package and registers every ``Action``
subclass, so each feature lives in its own module. Actions read and write the
database through SQLAlchemy's async API; nothing connects at import time.
Actions never write sentences: they send catalog keys and data
(:func:`actions.common.say`) and the gateway renders them in the resident's
language.
"""
