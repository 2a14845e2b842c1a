"""serving never imports training: the online side runs without the offline one."""

from __future__ import annotations

import subprocess
import sys


def test_serving_does_not_import_training():
    code = (
        "import sys, serving.app, cli.serve; "
        "bad = sorted(m for m in sys.modules if m.split('.')[0] == 'training'); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stdout + result.stderr
