"""Channel adapters: thin translators between a platform and the dialogue core."""
