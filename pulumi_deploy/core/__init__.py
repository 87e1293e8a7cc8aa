"""Vendor-agnostic machinery: config, HTTP, errors, field policies and the spec-driven provider."""

from .provider_threads import widen_provider_thread_pool

# Loaded first inside the dynamic-provider process (when the engine unpickles a provider): let that
# process serve as many calls at once as the engine sends. A no-op anywhere else.
widen_provider_thread_pool()
