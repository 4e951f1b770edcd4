"""The Indonesian catalogue is complete and compiled."""

import ast
import gettext
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "id" / "LC_MESSAGES" / "django.po"
MO = PO.with_suffix(".mo")


def po_entries() -> list[tuple[str, str, bool]]:
    """(msgid, msgstr, fuzzy) for every entry but the header. Indonesian has one
    plural form: a plural entry's msgstr is its msgstr[0]."""
    entries, current, field, fuzzy = [], {}, None, False
    for line in PO.read_text(encoding="utf-8").splitlines() + [""]:
        if line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith(("msgid ", "msgstr ", "msgid_plural ", "msgstr[0] ")):
            field, _, value = line.partition(" ")
            field = field.replace("[0]", "")
            current[field] = ast.literal_eval(value)
        elif line.startswith('"') and field:
            current[field] += ast.literal_eval(line)
        elif not line.strip() and current:
            if current.get("msgid"):
                entries.append((current["msgid"], current.get("msgstr", ""), fuzzy))
            current, field, fuzzy = {}, None, False
    return entries


def test_every_message_is_translated_and_none_is_fuzzy():
    entries = po_entries()
    assert len(entries) > 200
    assert [m for m, s, _ in entries if not s] == []
    assert [m for m, _, fuzzy in entries if fuzzy] == []


def test_the_compiled_catalogue_matches_the_source():
    with MO.open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        m
        for m, s, _ in po_entries()
        if compiled.gettext(m) != s and compiled.ngettext(m, m, 1) != s
    ]
    assert stale == [], "run: manage.py compilemessages -l id"
