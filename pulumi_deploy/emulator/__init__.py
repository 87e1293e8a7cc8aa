"""Local, strict emulators of the five vendor APIs (needs the ``emulator`` extra).

Run ``python -m pulumi_deploy.emulator`` to serve all of them on 127.0.0.1; it prints one
``<VENDOR>_BASE_URL=...`` line per vendor. See ``app.py`` for the layout and ``control.py`` for
the control API (reset, latency, faults, call log, inventory, out-of-band changes).
"""
