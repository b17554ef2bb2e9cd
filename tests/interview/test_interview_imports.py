"""The mock-interview core is plain Python: it imports neither the UI nor scikit-learn."""

from __future__ import annotations

import subprocess
import sys


def test_interview_core_imports_neither_the_ui_nor_heavy_libraries() -> None:
    code = (
        "import sys, quizzer.interview\n"
        "bad = sorted(m for m in ('textual', 'sklearn', 'scipy') if m in sys.modules)\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
