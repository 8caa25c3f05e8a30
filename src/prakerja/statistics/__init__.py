"""Program statistics (ranking, survey outcomes) and integrity signals, set-based over the facts."""
