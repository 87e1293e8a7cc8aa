"""Show this package's errors to the user as their message, not as a Python traceback.

The SDK's provider server wraps every call (check, diff, create, read, update, delete) in a handler
that aborts the gRPC call with ``traceback.format_exc()`` as its details; the engine prints those
details under the resource. For an error this package raised on purpose — a refused credential, a
server that is down, an object deleted out of band — the traceback is dozens of lines of httpx and
SDK frames before the one paragraph that matters, and the paragraph already says what to do.

The handler looks ``traceback`` up in its module's globals at each call, so replacing that one name
in the server module with :class:`_MessageForOwnErrors` changes what it formats: a
:class:`PulumiDeployError` becomes its message (what failed, the vendor's message, the likely fix);
anything else — a bug, an SDK error — keeps its full traceback, which is what a bug report needs. Both
show the secret values of the failed call as ``[secret]`` (see ``withheld.py``). A create or update that
made its change and failed after (:class:`Unfinished`) also hands the engine the object as it now is
(``init_failure.py``).

Installed once, in the provider process only (a program or a test importing the package is left
alone), when the engine first loads one of this package's providers.
"""

from __future__ import annotations

import sys
import threading
import traceback
from types import ModuleType
from typing import Any

from . import init_failure, log
from .errors import PulumiDeployError, Unfinished
from .provider_threads import in_provider_process
from .withheld import scrub, withheld_from

#: Prefix of every message shown this way, so a user can tell it from an engine error.
PREFIX = "pulumi-deploy: "


def format_error(exc: BaseException) -> str:
    """What the engine shows for ``exc``: the message of an error of this package, else a traceback."""
    if isinstance(exc, PulumiDeployError):
        return PREFIX + str(exc)  # its message withholds the call's secrets itself
    return scrub("".join(traceback.format_exception(type(exc), exc, exc.__traceback__)), withheld_from(exc))


class _MessageForOwnErrors:
    """Stands in for the ``traceback`` module in the server module: only ``format_exc`` differs."""

    def format_exc(self, limit: int | None = None, chain: bool = True) -> str:
        exc = sys.exc_info()[1]
        if isinstance(exc, PulumiDeployError):
            message = format_error(exc)
            if isinstance(exc, Unfinished):
                # The handler calling us aborts on ``context`` next: the object goes with the error.
                context = sys._getframe(1).f_locals.get("context")
                try:
                    if context is None:
                        raise LookupError("the calling handler has no gRPC context")
                    init_failure.attach(context, exc, message)
                except Exception as failed:  # the error itself must still reach the user
                    log.warn(f"could not hand the object to the engine ({failed!r}): the stack may not record it")
            return message
        text = traceback.format_exc(limit=limit, chain=chain)
        return scrub(text, withheld_from(exc)) if exc is not None else text

    def __getattr__(self, name: str) -> Any:
        return getattr(traceback, name)


_lock = threading.Lock()
_installed = False


def install(server_module: ModuleType | None = None) -> bool:
    """Make the provider server print this package's errors as messages. True if it was installed now.

    ``server_module`` defaults to the running server (``__main__`` of ``python -m pulumi.dynamic``);
    outside the provider process nothing is changed.
    """
    global _installed
    if server_module is None:
        if not in_provider_process():
            return False
        server_module = sys.modules.get("__main__")
    with _lock:
        if _installed or server_module is None or getattr(server_module, "traceback", None) is not traceback:
            return False
        server_module.traceback = _MessageForOwnErrors()  # type: ignore[attr-defined]
        _installed = True
        return True
