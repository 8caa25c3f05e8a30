"""Every contract file kind and its loader, for each front door that imports files.

Loaders live in their domains (above this layer); they are named here by
module path and imported only when a kind is used, so `ingest` stays below
the domains and `prakerja --help` stays fast.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from prakerja.kit.errors import InputError

if TYPE_CHECKING:
    from prakerja.ingest.pipeline import Loader

#: Each contract file kind and the loader that takes it, imported only when used.
LOADERS: dict[str, str] = {
    "waves": "prakerja.registry.loaders:WavesLoader",
    "participants": "prakerja.registry.loaders:ParticipantsLoader",
    "exclusions": "prakerja.registry.loaders:ExclusionsLoader",
    "payout-accounts": "prakerja.payouts.loaders:PayoutAccountsLoader",
    "partner-results": "prakerja.payouts.loaders:PartnerResultsLoader",
    "bank-statement": "prakerja.payouts.loaders:BankStatementLoader",
    "survey-responses": "prakerja.surveys.loaders:SurveyResponsesLoader",
    "courses": "prakerja.catalog.loaders:CoursesLoader",
    "platform-events": "prakerja.transactions.loaders:PlatformEventsLoader",
    "platform-invoices": "prakerja.transactions.loaders:PlatformInvoicesLoader",
}


def unknown_kinds(kinds: list[str]) -> list[str]:
    """Return the kinds of `kinds` that are not contract file kinds."""
    return [kind for kind in kinds if kind not in LOADERS]


def loader_for(kind: str) -> Loader:
    """Return the loader of a file kind, or raise InputError listing the known kinds."""
    target = LOADERS.get(kind)
    if target is None:
        raise InputError(f"unknown kind {kind!r} (known: {', '.join(sorted(LOADERS))})")
    module_name, class_name = target.split(":")
    loader_class = getattr(importlib.import_module(module_name), class_name)
    loader: Loader = loader_class()
    return loader
