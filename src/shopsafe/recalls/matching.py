"""The matching rule of CONTRACT §5, in normal form. Pure: no database.

An order line is affected when it matches at least one product key (GTIN, SKU, or brand +
model compared case-insensitively without spaces, hyphens and dots) and every restriction
that is given holds (lot, serial range, sale dates, ship-to country, seller).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from shopsafe.ledger import keys


@dataclass(frozen=True)
class MatchRule:
    gtins: tuple[str, ...]
    skus: tuple[str, ...]
    models: tuple[tuple[str, str], ...]
    lots: tuple[str, ...]
    serial_ranges: tuple[tuple[str, int, int], ...]
    placed_from: dt.datetime | None
    placed_before: dt.datetime | None
    countries: tuple[str, ...]
    seller_id: int | None

    @property
    def has_product_key(self) -> bool:
        return bool(self.gtins or self.skus or self.models)


def _start_of(day: Any) -> dt.datetime | None:
    if day is None:
        return None
    if isinstance(day, str):
        day = dt.date.fromisoformat(day)
    assert isinstance(day, dt.date)
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def rule_from(criteria: Mapping[str, Any], *, seller_id: int | None) -> MatchRule:
    """The stored criteria (as validated by `Criteria`) in the form the queries use."""
    models = []
    for entry in criteria.get("models") or []:
        brand, model = keys.brand_key(entry["brand"]), keys.model_key(entry["model"])
        if brand and model:
            models.append((brand, model))
    sold_to = _start_of(criteria.get("sold_to"))
    return MatchRule(
        gtins=tuple(sorted({keys.gtin14(g) for g in criteria.get("gtins") or []})),
        skus=tuple(sorted({s.strip() for s in criteria.get("skus") or []})),
        models=tuple(sorted(set(models))),
        lots=tuple(sorted({k for k in map(keys.lot_key, criteria.get("lots") or []) if k})),
        serial_ranges=tuple(
            (str(r.get("prefix") or "").strip().upper(), int(r["from"]), int(r["to"]))
            for r in criteria.get("serial_ranges") or []
        ),
        placed_from=_start_of(criteria.get("sold_from")),
        placed_before=sold_to + dt.timedelta(days=1) if sold_to else None,
        countries=tuple(sorted({c.upper() for c in criteria.get("countries") or []})),
        seller_id=seller_id,
    )


def key_values(rule: MatchRule) -> list[tuple[str, str]]:
    """The product keys as (kind, value) rows of `recall_keys`."""
    rows = [("gtin", g) for g in rule.gtins] + [("sku", s) for s in rule.skus]
    rows += [("model", f"{brand}|{model}") for brand, model in rule.models]
    return rows
