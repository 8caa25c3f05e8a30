"""Program rules as data: one YAML file per scheme, loaded and validated at start."""
