"""The training catalog: providers, courses, categories, bundles, platforms, provider keys."""
