"""Every text of the pages is in the German catalogue, the committed .mo file is the .po
file compiled, and the language of a request is chosen as documented."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

from shopsafe.web import i18n

ROOT = Path(__file__).resolve().parents[2]
PO = i18n.LOCALE_DIR / "de" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted() -> set[str | tuple[str, str]]:
    """What `pybabel extract -F babel.cfg` finds in src/shopsafe (see CONTRIBUTING.md)."""
    config = ROOT / "babel.cfg"
    from babel.messages.frontend import parse_mapping_cfg

    with config.open(encoding="utf-8") as handle:
        method_map, options_map = parse_mapping_cfg(handle)
    found: set[str | tuple[str, str]] = set()
    for _file, _line, message, _comments, _context in extract_from_dir(
        str(ROOT / "src" / "shopsafe"), method_map, options_map
    ):
        found.add(message if isinstance(message, str) else (message[0], message[1]))
    return found


def test_every_page_text_has_a_german_translation() -> None:
    with PO.open("rb") as handle:
        catalog = read_po(handle, locale="de")
    translated = {
        (m.id if isinstance(m.id, str) else (m.id[0], m.id[1])): m
        for m in catalog
        if m.id and "fuzzy" not in m.flags
    }
    missing = [message for message in extracted() if message not in translated]
    assert missing == [], "run the extraction in CONTRIBUTING.md and translate these"
    for key, message in translated.items():
        strings = [message.string] if isinstance(message.string, str) else list(message.string)
        assert all(s.strip() for s in strings), key
        wanted = set(PLACEHOLDER.findall(key if isinstance(key, str) else key[1])) - {"num"}
        for string in strings:
            assert set(PLACEHOLDER.findall(string)) - {"num"} == wanted, key


def _key(value: object) -> object:
    return tuple(value) if isinstance(value, list | tuple) else value


def test_the_committed_mo_file_is_the_po_file_compiled() -> None:
    def entries(catalog: Catalog) -> dict[object, object]:
        return {_key(m.id): _key(m.string) for m in catalog if m.id}

    with PO.open("rb") as handle:
        source = entries(read_po(handle, locale="de"))
    with MO.open("rb") as handle:
        compiled = entries(read_mo(handle))
    assert compiled == source, "run `pybabel compile -d src/shopsafe/web/locale`"
    assert i18n.compile_po(PO).gettext("Your Orders") == "Meine Bestellungen"


@pytest.mark.parametrize(
    ("query", "cookie", "customer", "accept", "expected"),
    [
        ("de", "en", "en", "en", "de"),
        (None, "de", "en", "en", "de"),
        (None, None, "de-AT", "en", "de"),
        ("fr", None, None, "fr-CH, de;q=0.8, en;q=0.5", "de"),
        (None, None, None, "en-GB,en;q=0.9,de;q=0.8", "en"),
        (None, None, None, "de;q=0, en;q=0.1", "en"),
        (None, None, None, "fr, es", "en"),
        (None, None, None, None, "en"),
    ],
)
def test_the_language_of_a_request(
    query: str | None, cookie: str | None, customer: str | None, accept: str | None, expected: str
) -> None:
    chosen = i18n.choose(query=query, cookie=cookie, customer=customer, accept_language=accept)
    assert chosen == expected
