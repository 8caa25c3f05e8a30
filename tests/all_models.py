"""Import every module that defines tables, so Base.metadata knows the whole schema."""

import prakerja.accounts.models
import prakerja.audit.models
import prakerja.catalog.models
import prakerja.ledger.models
import prakerja.participants.models
import prakerja.partners.models
import prakerja.payouts.models
import prakerja.reconciliation.models
import prakerja.recovery.models
import prakerja.registry.models
import prakerja.statistics.models
import prakerja.surveys.models
import prakerja.transactions.models  # noqa: F401
