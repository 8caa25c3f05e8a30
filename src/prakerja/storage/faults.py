"""Fault points: places where a test may have the process killed, to prove crash safety.

`PRAKERJA_FAULT_POINT=<name>` (read through the settings) makes the process
kill itself with SIGKILL when it reaches the fault point of that name - no
clean-up, no rollback, exactly like a power cut. Unset, a fault point costs
one comparison.
"""

from __future__ import annotations

import os
import signal

from prakerja.config import get_settings


def fault_point(name: str) -> None:
    """Kill this process at once when the settings name this fault point."""
    if get_settings().fault_point == name:
        os.kill(os.getpid(), signal.SIGKILL)
