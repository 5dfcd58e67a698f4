"""The gateway: every resident's message passes through here.

A channel adapter (``bot.channels``) turns a platform's payload into an
:class:`bot.core.Incoming`; the dialogue core stores it, settles the
resident's language, asks Rasa, renders the answer from the catalogs and
stores it; the adapter turns the :class:`bot.replies.Reply` into the
platform's format.
"""
