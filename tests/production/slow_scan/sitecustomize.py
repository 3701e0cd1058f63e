"""Loaded by the interpreters of the fault tests only (on their PYTHONPATH): with
GOVAPP_TEST_SCAN_SECONDS set, the sandboxed analysis first sleeps that long, so that a test can kill
its worker mid-scan. Nothing of the product loads this file."""

import os

if os.environ.get("GOVAPP_TEST_SCAN_SECONDS"):
    import time

    import govapp.inspection.engine.sandbox as _sandbox

    _original = _sandbox.scan_entry

    def _slow_scan_entry(*args, **kwargs):  # type: ignore[no-untyped-def]
        time.sleep(float(os.environ["GOVAPP_TEST_SCAN_SECONDS"]))
        return _original(*args, **kwargs)

    _sandbox.scan_entry = _slow_scan_entry
