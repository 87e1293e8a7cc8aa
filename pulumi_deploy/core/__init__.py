"""Vendor-agnostic machinery: config, HTTP, errors, field policies and the spec-driven provider."""

from . import error_display
from .provider_threads import widen_provider_thread_pool

# Loaded first inside the dynamic-provider process (when the engine unpickles a provider): let that
# process serve as many calls at once as the engine sends, and show this package's errors as their
# message rather than a traceback. Both are no-ops anywhere else.
widen_provider_thread_pool()
error_display.install()
