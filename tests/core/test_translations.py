"""The translation files: compiled as committed, every translation with exactly its original's
placeholders, the contract's reply words kept in Latin capitals, and every translation marked for
a native speaker's review (or signed as reviewed)."""

from __future__ import annotations

import gettext
import re
import shutil
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation
from hypothesis import given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from core.languages import DEFAULT, SPOKEN
from core.translations import (
    REVIEW_NEEDED,
    Entry,
    catalogue_status,
    placeholder_problems,
    placeholders,
    po_parse,
    po_path,
    po_write,
)

LOCALE = Path(settings.LOCALE_PATHS[0])
CODES = [lang.code for lang in SPOKEN if lang.code != DEFAULT]
# The words the SMS grammar reads (messaging/grammar.py), which a translated text must keep.
REPLY_WORDS = re.compile(r"\b(YES|NO|DONE|READY|NOT NOW|PAUSE|AVAILABLE|STOP|START|HELP|LINK|LANGUAGE|REF)\b")


def entries(code: str) -> list[Entry]:
    return [e for e in po_parse(po_path(LOCALE, code).read_text(encoding="utf-8")) if not e.is_header]


@pytest.mark.parametrize("code", CODES)
def test_each_compiled_file_says_exactly_what_its_po_file_says(code):
    """A .po changed without ``make messages`` (or a stale .mo) fails here: volunteers would read
    the old words. Compared by content, not by file times (a checkout sets those)."""
    mo = po_path(LOCALE, code).with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing: run make messages and commit it"
    with mo.open("rb") as f:
        compiled = dict(gettext.GNUTranslations(f)._catalog)  # type: ignore[attr-defined]
    compiled.pop("", None)  # the header
    expected = {e.msgid: e.msgstr for e in entries(code) if e.translated and not e.msgid_plural}
    stale = {k for k in expected if compiled.get(k) != expected[k]}
    extra = set(compiled) - set(expected)
    assert not stale and not extra, (
        f"{mo.name} for {code} differs from its .po ({len(stale)} changed or missing, {len(extra)} "
        f"left over, e.g. {sorted(stale | extra)[:3]}): run make messages and commit the .mo"
    )


@pytest.mark.parametrize("code", CODES)
def test_every_string_is_translated_and_marked_for_review_or_signed(code):
    status = catalogue_status(po_path(LOCALE, code), code=code)
    assert status.total > 150 and status.untranslated == []
    for e in entries(code):
        marks = [c for c in e.comments if c == REVIEW_NEEDED or c.lower().startswith("reviewed-by:")]
        assert len(marks) == 1, f"{code}: {e.msgid!r} must say 'Review: needed' or 'Reviewed-by: NAME'"
        assert not e.fuzzy, f"{code}: {e.msgid!r} is fuzzy, so msgfmt would leave it out"


@pytest.mark.parametrize("code", CODES)
def test_a_translation_has_exactly_its_originals_placeholders_and_reply_words(code):
    problems = []
    for entry in entries(code):
        problems += placeholder_problems(entry)
        # The grammar reads these words in Latin capitals in every language: none dropped or added.
        if set(REPLY_WORDS.findall(entry.msgstr)) != set(REPLY_WORDS.findall(entry.msgid)):
            problems.append(f"{entry.msgid!r}: the reply words differ in {entry.msgstr!r}")
        if entry.msgstr.count("<strong>") != entry.msgid.count("<strong>"):
            problems.append(f"{entry.msgid!r}: the <strong> marks differ")
    assert problems == []


def test_the_review_page_counts_a_signed_entry_as_reviewed(tmp_path):
    path = tmp_path / "django.po"
    path.write_text(
        po_write(
            [
                Entry(msgid="", msgstr="Content-Type: text/plain; charset=UTF-8\n"),
                Entry(msgid="Save", msgstr="Zapisz", comments=["Reviewed-by: Ola Nowak, 2026-12-01"]),
                Entry(msgid="Day", msgstr="Dzień", comments=[REVIEW_NEEDED]),
                Entry(msgid="Evening", msgstr="Wieczorem", comments=[REVIEW_NEEDED], flags=["fuzzy"]),
                Entry(msgid="Morning", msgstr=""),
            ]
        ),
        encoding="utf-8",
    )
    status = catalogue_status(path, code="pl")
    assert (status.total, status.translated, status.reviewed) == (4, 2, 1)
    assert [e.msgid for e in status.not_reviewed] == ["Day"]
    assert [e.msgid for e in status.untranslated] == ["Evening", "Morning"]
    assert po_parse(path.read_text(encoding="utf-8"))[1].reviewer == "Ola Nowak, 2026-12-01"


def test_placeholders_are_read_as_python_fills_them():
    assert placeholders("%(sender)s: %(ref)s is 100%% yours, %d left, %s") == ["sender", "ref", "d", "s"]


# Any text a person might type or a record might hold: names in any script, braces, percent signs.
values = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40)
WITH_PLACEHOLDERS = sorted({e.msgid for code in CODES for e in entries(code) if placeholders(e.msgid)})


@hypothesis_settings(max_examples=25, deadline=None)
@given(value=values)
def test_every_translated_string_renders_with_its_variables_in_every_language(value):
    """Each marked string, in each language, filled with arbitrary values: it never raises, and
    every value appears in what the person reads."""
    for code in [DEFAULT, *CODES]:
        with translation.override(code):
            for msgid in WITH_PLACEHOLDERS:
                names = placeholders(msgid)
                given_values = {name: f"{value}{i}" for i, name in enumerate(names)}
                rendered = translation.gettext(msgid) % given_values
                for v in given_values.values():
                    assert v in rendered, (code, msgid)


@pytest.mark.skipif(shutil.which("xgettext") is None, reason="gettext's xgettext is not installed")
def test_every_string_marked_in_the_code_is_in_the_translation_files(tmp_path, settings, monkeypatch):
    """What ``make messages`` would collect now, against what the files hold: a string marked in
    new code (a page, a text, a voice script) and not yet collected fails here, by name. It runs
    in a copy made of links, so the real files are never touched."""
    root = Path(settings.BASE_DIR)
    # Every folder make messages reads (new apps included), none it leaves out.
    left_out = {"tests", "bench", "staticfiles", "var", "locale", "wheelhouse", "docs", "scripts"}
    for folder in root.iterdir():
        if folder.is_dir() and not folder.name.startswith(".") and folder.name not in left_out:
            (tmp_path / folder.name).symlink_to(folder)
    (tmp_path / "locale" / "pl").mkdir(parents=True)
    settings.LOCALE_PATHS = [tmp_path / "locale"]
    monkeypatch.chdir(tmp_path)
    call_command(
        "makemessages", locale=["pl"], add_location="never", no_wrap=True, symlinks=True, verbosity=0
    )
    fresh = po_path(tmp_path / "locale", "pl").read_text(encoding="utf-8")
    collected = {e.msgid for e in po_parse(fresh) if not e.is_header}
    for code in CODES:
        held = {e.msgid for e in entries(code)}
        assert sorted(collected - held) == [], f"run make messages: {code} lacks these (then translate them)"
        assert sorted(held - collected) == [], f"run make messages: {code} holds strings no code uses"
