"""Import every module that defines tables, so Base.metadata knows the whole schema."""

import prakerja.audit.models
import prakerja.ledger.models
import prakerja.registry.models  # noqa: F401
