"""The app graph is layered (ARCHITECTURE.md "Layers"), and the migrations match the models.

The import-linter contract in ``.importlinter`` is what ``make lint`` and CI run; these tests
prove that it holds on the code and that it would catch a lower app importing a higher one.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command

ROOT = Path(__file__).resolve().parent.parent
APPS = ["shop", "customers", "orders", "vouchers", "giftcards", "helpdesk", "reviews", "privacy"]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _lint_imports(cwd):
    return subprocess.run(
        [str(LINT_IMPORTS), "--config", str(ROOT / ".importlinter"), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=120,
    )


def _copy_apps(target):
    for app in APPS:
        shutil.copytree(
            ROOT / app, target / app, ignore=shutil.ignore_patterns("__pycache__", "*.pyc")
        )


def test_the_app_graph_keeps_its_layers():
    result = _lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout


@pytest.mark.parametrize(
    ("module", "violation"),
    [
        ("shop/models.py", "import orders.models\n"),  # the core imports an app above it
        ("customers/services.py", "from orders import limits\n"),
        ("vouchers/services.py", "from giftcards import services as _g\n"),  # sibling apps
    ],
)
def test_a_violating_import_breaks_the_contract(tmp_path, module, violation):
    _copy_apps(tmp_path)
    path = tmp_path / module
    path.write_text(path.read_text() + "\n" + violation)
    result = _lint_imports(tmp_path)
    assert result.returncode != 0
    assert "BROKEN" in result.stdout


@pytest.mark.django_db
def test_models_and_migrations_are_in_step():
    # Exit code 1 (SystemExit) if a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)
