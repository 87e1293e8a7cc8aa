"""Progress and warning lines from inside the provider process.

The dynamic-provider process has no engine connection, so ``pulumi.log`` falls back to stderr
anyway; the engine forwards each stderr line as a diagnostic. We write plain lines ourselves so the
format is stable: ``[pulumi-deploy] <message>``. Never pass a credential here; a secret value of the
call being served that reaches a line anyway (a vendor message quoting it) is shown as ``[secret]``.
"""

from __future__ import annotations

import sys
import threading

from .withheld import scrub_current

_lock = threading.Lock()


def info(message: str) -> None:
    with _lock:
        print(f"[pulumi-deploy] {scrub_current(message)}", file=sys.stderr, flush=True)


def warn(message: str) -> None:
    info(f"warning: {message}")
