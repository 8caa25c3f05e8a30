"""Partners' own door: their tokens, their uploads, their disputes of breaks."""
