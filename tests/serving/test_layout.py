"""serving never imports the offline side: the online server runs without it."""

from __future__ import annotations

import subprocess
import sys

OFFLINE = ("training", "evaluation", "scoring", "notefiles")


def test_serving_does_not_import_the_offline_packages():
    code = (
        "import sys, serving.app, cli.serve; "
        f"bad = sorted(m for m in sys.modules if m.split('.')[0] in {OFFLINE!r}); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
