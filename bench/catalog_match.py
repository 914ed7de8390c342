"""Catalogue matching: precision and recall of `shopsafe.feeds.matching` on a labelled
catalogue built from the real CPSC records (tests/fixtures/feeds).

    python bench/catalog_match.py            # all 899 CPSC records, writes docs/benchmarks.md
    python bench/catalog_match.py --tiny     # 40 records, checks the goals, writes nothing

True offers are listings a seller would write for a recalled product. They are made with the
demo's own reading of the records (`shopsafe.demo.build_catalogue`: brand, model numbers,
UPCs), independent of the feed extraction under test, in three kinds: with the UPC, with
brand + model, and with brand + a reworded name only. Decoys: the same brand with another
model number (and a similar name), another brand with the same name, the same brand with
another product, another UPC of the same brand. A pair (record, offer) is right when the
offer was made from that record.

Goal: precision ≥ 0.98 in the automatic band, recall ≥ 0.9 over both bands together.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from _common import ROOT, write_section
from shopsafe.demo import build_catalogue as listing
from shopsafe.feeds import adapters, matching
from shopsafe.feeds.extraction import Extraction, extract
from shopsafe.ledger import keys
from shopsafe.ledger.tracking import gs1_check_digit

FIXTURE = ROOT / "tests" / "fixtures" / "feeds" / "cpsc_recalls_api_2023-12_to_2026-03.json"
SECTION = "catalog_match"
GOAL_PRECISION, GOAL_RECALL = 0.98, 0.9
SWEEP = (0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95, 0.98, 1.0)
_NOISE = ("", "", " - Black", " for Home", ", 2 Pack", " (New Version)", " Gift Set")


@dataclass(frozen=True)
class Labelled:
    offer: matching.Offer
    ref: str  # the record it was made from
    kind: str  # true_gtin, true_model, true_name, decoy_…
    right_for: frozenset[str]  # the records it truly belongs to (re-announcements share codes)


def _offer(i: int, *, brand: str, name: str, model: str | None = None, gtin: str | None = None
           ) -> matching.Offer:  # fmt: skip
    return matching.Offer(
        id=i,
        gtin=keys.gtin14(gtin) if gtin else None,
        brand_key=keys.brand_key(brand),
        model_key=keys.model_key(model),
        name=name,
        brand=brand,
        model=model,
    )


def reword(name: str, rnd: random.Random) -> str:
    """A seller's wording of the product name: case, a dropped word, a suffix."""
    words = name.split()
    if len(words) > 3 and rnd.random() < 0.4:
        del words[rnd.randrange(1, len(words))]
    text = " ".join(words)
    if rnd.random() < 0.3:
        text = text.lower()
    return text + rnd.choice(_NOISE)


def other_model(model: str, taken: list[str], rnd: random.Random) -> str:
    """A model number one digit away from `model` that the record does not name."""
    digits = [i for i, c in enumerate(model) if c.isdigit()]
    used = {keys.model_key(m) for m in taken}
    for _ in range(100):
        chars = list(model)
        if digits:
            chars[rnd.choice(digits)] = str(rnd.randint(0, 9))
        changed = "".join(chars)
        if keys.model_key(changed) not in used:
            return changed
    return model + "X9"


def other_gtin(gtin: str, taken: list[str], rnd: random.Random) -> str:
    while True:
        body = gtin[:-1]
        body = body[:-3] + f"{(int(body[-3:]) + rnd.randint(1, 900)) % 1000:03d}"
        if body + gs1_check_digit(body) not in taken:
            return body + gs1_check_digit(body)


def _owners(records: list[dict[str, Any]], refs: list[str], brands: list[str]
            ) -> tuple[dict[str, set[str]], dict[str, set[str]]]:  # fmt: skip
    """Which records name each UPC, and each model number, by the demo's reading (an
    expanded or re-announced recall names the same codes as the first one)."""
    by_gtin: dict[str, set[str]] = defaultdict(set)
    by_model: dict[str, set[str]] = defaultdict(set)
    for record, ref, brand in zip(records, refs, brands, strict=True):
        name = str(record["Products"][0]["Name"])
        for upc in listing.upcs(record):
            by_gtin[keys.gtin14(upc)].add(ref)
        for model in listing.models([name, str(record.get("Description") or "")], brand):
            by_model[keys.model_key(model) or ""].add(ref)
    return by_gtin, by_model


def labelled_catalogue(records: list[dict[str, Any]], refs: list[str], seed: int) -> list[Labelled]:
    rnd = random.Random(seed)
    out: list[Labelled] = []
    brands = [listing.brand(r, str(r["Products"][0]["Name"])) for r in records]
    by_gtin, by_model = _owners(records, refs, brands)

    def add(ref: str, kind: str, **fields: Any) -> None:
        offer = _offer(len(out) + 1, **fields)
        right: set[str] = set()
        if kind.startswith("true"):
            right = {ref} | by_gtin.get(offer.gtin or "", set())
            right |= by_model.get(offer.model_key or "", set())
        out.append(Labelled(offer, ref, kind, frozenset(right)))

    for index, (record, ref) in enumerate(zip(records, refs, strict=True)):
        name = str(record["Products"][0]["Name"])
        brand = brands[index]
        models = listing.models([name, str(record.get("Description") or "")], brand)
        upcs = listing.upcs(record)
        if upcs:
            add(ref, "true_gtin", brand=brand, name=reword(name, rnd), gtin=upcs[0])
            add(ref, "decoy_other_gtin", brand=brand, name=reword(name, rnd),
                gtin=other_gtin(upcs[0], upcs, rnd))  # fmt: skip
        if models:
            add(ref, "true_model", brand=brand, name=reword(name, rnd), model=rnd.choice(models))
            add(ref, "decoy_other_model", brand=brand, name=reword(name, rnd),
                model=other_model(models[0], models, rnd))  # fmt: skip
        add(ref, "true_name", brand=brand, name=reword(name, rnd))
        stranger = brands[(index + 1 + rnd.randrange(len(brands) - 1)) % len(brands)]
        add(ref, "decoy_other_brand", brand=stranger,
            name=reword(name.replace(brand, stranger), rnd))  # fmt: skip
        elsewhere = str(records[(index + 7) % len(records)]["Products"][0]["Name"])
        add(ref, "decoy_other_product", brand=brand,
            name=f"{brand} {' '.join(elsewhere.split()[1:])}")  # fmt: skip
    return out


class Index:
    """The repository's narrowing (gtin, model key, brand key), in memory."""

    def __init__(self, catalogue: Iterable[Labelled]) -> None:
        self.by: dict[str, dict[str, list[Labelled]]] = {
            "gtin": defaultdict(list), "model": defaultdict(list), "brand": defaultdict(list)
        }  # fmt: skip
        for item in catalogue:
            for kind, value in (("gtin", item.offer.gtin), ("model", item.offer.model_key),
                                ("brand", item.offer.brand_key)):  # fmt: skip
                if value:
                    self.by[kind][value].append(item)

    def candidates(self, record: Extraction) -> dict[int, Labelled]:
        wanted = matching.lookup_keys(record)
        found: dict[int, Labelled] = {}
        for kind, values in (("gtin", wanted.gtins), ("model", wanted.model_keys),
                             ("brand", wanted.brand_keys)):  # fmt: skip
            for value in values:
                for item in self.by[kind].get(value, ()):
                    found[item.offer.id] = item
        return found


def evaluate(limit: int | None, seed: int = 7) -> dict[str, Any]:
    started = time.perf_counter()
    parsed = adapters.parse("cpsc", FIXTURE.read_bytes())
    entries = [e for e in parsed.entries if e.raw.get("Products")]
    if limit:
        entries = random.Random(seed).sample(entries, limit)
    extractions = [extract(e) for e in entries]
    refs = [e.authority_ref for e in entries]
    catalogue = labelled_catalogue([e.raw for e in entries], refs, seed)
    index = Index(catalogue)
    scored: list[tuple[float, bool, str]] = []  # (confidence, right, kind)
    for ref, record in zip(refs, extractions, strict=True):
        candidates = index.candidates(record)
        for found in matching.match(record, (c.offer for c in candidates.values())):
            item = candidates[found.offer_id]
            right = ref in item.right_for
            scored.append((found.confidence, right, item.kind if item.ref == ref else "other"))
    elapsed = time.perf_counter() - started
    positives = sum(len(item.right_for & set(refs)) for item in catalogue)
    rows = []
    for threshold in SWEEP:
        chosen = [right for confidence, right, _ in scored if confidence >= threshold]
        hits = sum(chosen)
        precision = hits / len(chosen) if chosen else 1.0
        rows.append((threshold, len(chosen), hits, precision, hits / positives))
    by_kind: dict[str, int] = defaultdict(int)
    for item in catalogue:
        by_kind[item.kind] += 1
    return {
        "records": len(entries),
        "offers": len(catalogue),
        "positives": positives,
        "rows": rows,
        "scored": scored,
        "by_kind": dict(by_kind),
        "seconds": elapsed,
    }


def bands(result: dict[str, Any], thresholds: matching.Thresholds) -> tuple[float, float, float]:
    """(precision in the automatic band, recall over both bands, precision over both)."""
    scored = result["scored"]
    auto = [right for c, right, _ in scored if c >= thresholds.auto]
    both = [right for c, right, _ in scored if c >= thresholds.review]
    precision_auto = sum(auto) / len(auto) if auto else 1.0
    return precision_auto, sum(both) / result["positives"], sum(both) / max(len(both), 1)


def report(result: dict[str, Any], thresholds: matching.Thresholds, command: str) -> str:
    p_auto, r_both, p_both = bands(result, thresholds)
    lines = [
        "## Catalogue matching (authority records × offers)",
        "",
        f"`{command}` — {result['records']} real CPSC records, a labelled catalogue of "
        f"{result['offers']} offers ({result['positives']} true offers; kinds: "
        + ", ".join(f"{k} {v}" for k, v in sorted(result["by_kind"].items()))
        + f"); matched in {result['seconds']:.1f} s.",
        "",
        f"Bands as configured (automatic ≥ {thresholds.auto}, review ≥ {thresholds.review}): "
        f"**precision {p_auto:.3f} in the automatic band** (goal ≥ {GOAL_PRECISION}), "
        f"**recall {r_both:.3f} over both bands** (goal ≥ {GOAL_RECALL}); precision over both "
        f"bands {p_both:.3f}.",
        "",
        "| confidence ≥ | pairs kept | right | precision | recall |",
        "|---:|---:|---:|---:|---:|",
    ]
    for threshold, kept, hits, precision, recall in result["rows"]:
        lines.append(f"| {threshold:.2f} | {kept} | {hits} | {precision:.3f} | {recall:.3f} |")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--tiny", action="store_true", help="40 records, writes nothing")
    args = parser.parse_args(argv)
    thresholds = matching.Thresholds()
    result = evaluate(40 if args.tiny else None)
    text = report(result, thresholds, "python bench/catalog_match.py" + " --tiny" * args.tiny)
    print(text)
    p_auto, r_both, _ = bands(result, thresholds)
    if not args.tiny:
        write_section(SECTION, text)
    if p_auto < GOAL_PRECISION or r_both < GOAL_RECALL:
        print(f"goal missed: precision {p_auto:.3f}, recall {r_both:.3f}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
