"""The reporter's status link: its key opens only its own case, and any other text, in any
alphabet, is simply not the key."""

from __future__ import annotations

from shopsafe.unsolicited import links

SECRET = "a secret for the tests"


def test_only_the_case_key_opens_the_case() -> None:
    key = links.access_key("UP-ABCDEFGH", "salt", secret=SECRET)
    assert links.key_matches("UP-ABCDEFGH", "salt", key, secret=SECRET)
    assert not links.key_matches("UP-ABCDEFGH", "other salt", key, secret=SECRET)
    assert not links.key_matches("UP-ZZZZZZZZ", "salt", key, secret=SECRET)
    for wrong in ("", "²" * 24, "ü" + key[1:], key + "x", None):
        assert not links.key_matches("UP-ABCDEFGH", "salt", wrong, secret=SECRET)
