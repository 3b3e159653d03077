"""Tests take "today" when they run, never once when their module is imported.

The suite runs for about a quarter of an hour; CI may cross midnight in the shop's time zone
(23:00 UTC in winter) between collecting a test and running it. A module-level
``TODAY = timezone.localdate()`` then compares yesterday's date with the shop's today, and a
test fails for no fault of the code (it happened: four voucher and review tests).
"""

import ast
from pathlib import Path

TESTS = Path(__file__).resolve().parent
TODAY_CALLS = {"localdate", "today", "now", "localtime"}


def _calls_today(node):
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if name in TODAY_CALLS:
                return True
    return False


def _module_level_today(path):
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in tree.body:
        # Assignments at module level, and decorator arguments (pytest.mark.parametrize values
        # are built at collection too); lambdas are called when the test runs and are fine.
        targets = []
        if isinstance(node, ast.Assign | ast.AnnAssign):
            targets.append(node.value)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            targets.extend(node.decorator_list)
        for value in targets:
            if value is None:
                continue
            stripped = [n for n in ast.walk(value) if isinstance(n, ast.Lambda)]
            for lam in stripped:  # a lambda's body runs later
                lam.body = ast.Constant(None)
            if _calls_today(value):
                found.append(f"{path.relative_to(TESTS.parent)}:{node.lineno}")
    return found


def test_no_test_module_takes_today_at_import():
    offenders = [hit for path in sorted(TESTS.rglob("*.py")) for hit in _module_level_today(path)]
    assert offenders == [], (
        "take the date inside the test (a function or fixture), not at import: "
        + ", ".join(offenders)
    )


def test_no_test_takes_the_machines_date_for_the_shops():
    """``date.today()`` is the machine's day (UTC on CI); the shop's day is Europe/Berlin's,
    an hour later in winter: from 23:00 UTC the two differ, and a test comparing them fails."""
    this = Path(__file__).resolve()
    offenders = [
        str(path.relative_to(TESTS.parent))
        for path in sorted(TESTS.rglob("*.py"))
        if path != this and "date.today()" in path.read_text()
    ]
    assert offenders == [], "use timezone.localdate(): " + ", ".join(offenders)
