"""The daily run's modules load without pandas: every `prakerja reconcile` pays its start-up."""

from __future__ import annotations

import subprocess
import sys


def test_the_reconciliation_and_its_signals_import_without_pandas() -> None:
    probe = (
        "import sys, prakerja.reconciliation.service, prakerja.operations.signals, "
        "prakerja.operations.timeline; print('pandas' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
