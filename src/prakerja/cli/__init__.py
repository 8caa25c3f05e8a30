"""The operator's command-line tool, `prakerja` (Typer + Rich)."""
