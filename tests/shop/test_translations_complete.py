"""Issue 22: the German, Polish and Danish catalogues are complete. Every string the code and
the templates mark for translation has a translation in de, pl and da — nothing empty, nothing
fuzzy — and the committed .mo files are compiled from the committed .po files.

``makemessages`` runs into a temporary copy of locale/, so a string added without a
translation fails here (CI) instead of showing English to German, Polish or Danish staff.
"""

import gettext
import re
import shutil
import subprocess

import pytest
from django.conf import settings
from django.core.management import call_command

LANGUAGES = ["de", "pl", "da"]
IGNORE = [".venv", "var", "tests", "node_modules"]


def statistics(po_file):
    """(translated, fuzzy, untranslated) as msgfmt counts them."""
    result = subprocess.run(
        ["msgfmt", "--check", "--statistics", "-o", "/dev/null", str(po_file)],
        capture_output=True,
        text=True,
        check=True,
    )
    counts = {"translated": 0, "fuzzy": 0, "untranslated": 0}
    for number, kind in re.findall(r"(\d+) (translated|fuzzy|untranslated)", result.stderr):
        counts[kind] = int(number)
    return counts


def untranslated_msgids(po_file):
    """The first msgids that are empty or fuzzy (for a readable failure message)."""
    found = []
    for selection in ("--untranslated", "--only-fuzzy"):
        result = subprocess.run(
            ["msgattrib", selection, "--no-obsolete", str(po_file)],
            capture_output=True,
            text=True,
        )
        found += re.findall(r'^msgid "(.+)"$', result.stdout, flags=re.M)
    return sorted(set(found))[:20]


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """locale/ after a fresh makemessages, in a temporary directory.

    makemessages writes next to the nearest locale/ above each source file, so it runs in a
    scratch tree: symlinks to the project's sources plus a copy of locale/. The committed
    catalogues are never touched."""
    tree = tmp_path_factory.mktemp("catalogues")
    for entry in settings.BASE_DIR.iterdir():
        if entry.name not in {"locale", *IGNORE} and not entry.name.startswith("."):
            (tree / entry.name).symlink_to(entry)
    shutil.copytree(settings.BASE_DIR / "locale", tree / "locale")
    mp = pytest.MonkeyPatch()
    mp.chdir(tree)  # makemessages scans the current directory
    mp.setattr(settings, "LOCALE_PATHS", [tree / "locale"])
    try:
        call_command(
            "makemessages", locale=LANGUAGES, ignore_patterns=IGNORE, symlinks=True, verbosity=0
        )
    finally:
        mp.undo()
    return tree / "locale"


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_marked_string_is_translated(extracted, language):
    po_file = extracted / language / "LC_MESSAGES" / "django.po"
    counts = statistics(po_file)
    missing = untranslated_msgids(po_file)
    assert counts["untranslated"] == 0 and counts["fuzzy"] == 0, (
        f"{language}: {counts['untranslated']} untranslated, {counts['fuzzy']} fuzzy "
        f"(run `make messages` and translate them in locale/{language}): {missing}"
    )
    assert counts["translated"] > 2000  # the catalogue really was extracted and merged


@pytest.mark.parametrize("language", LANGUAGES)
def test_committed_catalogue_is_complete(language):
    counts = statistics(settings.BASE_DIR / "locale" / language / "LC_MESSAGES" / "django.po")
    assert counts["untranslated"] == 0 and counts["fuzzy"] == 0, counts


@pytest.mark.parametrize("language", LANGUAGES)
def test_mo_file_is_compiled_from_the_current_po(tmp_path, language):
    directory = settings.BASE_DIR / "locale" / language / "LC_MESSAGES"
    fresh = tmp_path / "django.mo"
    subprocess.run(
        ["msgfmt", "--check", "-o", str(fresh), str(directory / "django.po")], check=True
    )
    with open(directory / "django.mo", "rb") as committed, open(fresh, "rb") as compiled:
        committed_catalog = gettext.GNUTranslations(committed)._catalog
        compiled_catalog = gettext.GNUTranslations(compiled)._catalog
    stale = {
        key
        for key in committed_catalog.keys() | compiled_catalog.keys()
        if committed_catalog.get(key) != compiled_catalog.get(key)
    }
    assert not stale, (
        f"locale/{language}/LC_MESSAGES/django.mo is out of date (run `make messages`): "
        f"{sorted(map(str, stale))[:10]}"
    )
