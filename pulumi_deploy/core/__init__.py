"""Vendor-agnostic machinery: config, HTTP, errors, field policies and the spec-driven provider."""
