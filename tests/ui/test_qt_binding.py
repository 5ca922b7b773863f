"""The installed Qt binding keeps Python's reference counts intact.

PySide6 6.12.0 released a reference to ``None`` on every call of a method that returns
nothing; after some thousands of calls the interpreter aborts ("deallocating None"), in the
test run and in a till left open all day. pyproject.toml excludes that release; this test
fails if a broken binding is installed anyway.
"""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLineEdit


def test_void_calls_keep_the_reference_count_of_none(qapp: QApplication) -> None:
    edit = QLineEdit()
    before = sys.getrefcount(None)
    for i in range(500):
        edit.setText(str(i))
        qapp.processEvents()
    after = sys.getrefcount(None)
    # Other code may take or drop a few references meanwhile; the broken binding drops 1,000.
    assert abs(after - before) < 100, f"None lost {before - after} references in 1,000 calls"
