"""Find, read and validate scheme files; a broken one is an error naming file and field."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from prakerja.config import get_settings
from prakerja.kit.errors import ConfigurationError, NotFoundError
from prakerja.schemes.model import Scheme

SHIPPED_DIR = Path(__file__).parent


def load_scheme_file(path: Path) -> Scheme:
    """Read one scheme file; raise ConfigurationError naming the file and the faulty field."""
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigurationError(f"scheme file {path}: cannot be read: {exc}") from exc
    if not isinstance(document, dict):
        raise ConfigurationError(f"scheme file {path}: expected a mapping of fields")
    try:
        scheme = Scheme.model_validate(document)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "(root)"
        raise ConfigurationError(f"scheme file {path}: field {field}: {first['msg']}") from exc
    if scheme.code != path.stem.upper():
        raise ConfigurationError(
            f"scheme file {path}: field code: {scheme.code!r} does not match the file name"
        )
    return scheme


@lru_cache(maxsize=1)
def all_schemes() -> dict[str, Scheme]:
    """Return every scheme: the shipped ones, overridden or extended by `scheme_dir`."""
    folders = [SHIPPED_DIR]
    extra = get_settings().scheme_dir
    if extra is not None:
        folders.append(extra)
    schemes: dict[str, Scheme] = {}
    for folder in folders:
        for path in sorted(folder.glob("*.yaml")):
            scheme = load_scheme_file(path)
            schemes[scheme.code] = scheme
    return schemes


def get_scheme(code: str) -> Scheme:
    """Return a scheme by code, or raise NotFoundError listing the known ones."""
    schemes = all_schemes()
    if code not in schemes:
        raise NotFoundError(f"unknown scheme {code!r} (known: {', '.join(sorted(schemes))})")
    return schemes[code]
