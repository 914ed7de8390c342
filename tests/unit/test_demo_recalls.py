"""The demo's recalls, written from real CPSC records, say only what the record knows and
speak German to German readers."""

from __future__ import annotations

from shopsafe.demo.catalogue import load_cpsc_raw
from shopsafe.demo.recalls import recall_body


def test_every_demo_recall_names_where_it_was_sold_without_unknowns() -> None:
    items = list(load_cpsc_raw())
    assert items
    for item in items:
        body = recall_body(item)
        german = body["translations"]["de"]
        assert "unknown" not in body["sold_where"]
        assert body["sold_where"].startswith("Sold online in this shop")
        assert german["sold_where"].startswith("In diesem Online-Shop verkauft")
        assert german["identifier_location"].startswith("Marke und Modellnummer")
