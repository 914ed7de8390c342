"""`shopsafe brushing evaluate`: known fraud injected into synthetic marketplaces, found
again by the detector and by the FRAUDAR baseline, scored side by side.

For each seed a marketplace is generated (`shopsafe.demo.generator`); the detector runs on
it as it is (false positives: share of accounts flagged) and once per scenario with that
scenario's fraud injected (`injections.py`). Precision, recall and F1 are computed at
account level (injected accounts), order level (every order of an injected account) and
seller level (the sellers the fraud works for). FRAUDAR is given the true number of
injected groups and returns that many blocks (generous to it).
"""

from __future__ import annotations

import copy
import datetime as dt
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from shopsafe.brushing import detection, fraudar, injections, synthetic
from shopsafe.brushing.frame import I64, LedgerFrame, concat, dense
from shopsafe.brushing.rings import beneficiaries
from shopsafe.demo.generator import generate

LEVELS = ("account", "order", "seller")
METHODS = ("shopsafe", "fraudar")


@dataclass(frozen=True)
class Config:
    seeds: int = 3
    customers: int = 20_000
    orders: int = 80_000
    today: dt.date = dt.date(2026, 3, 31)
    scenarios: tuple[str, ...] = injections.SCENARIOS
    settings: detection.Settings = field(default_factory=detection.Settings)


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def score(predicted: set[str], truth: set[str]) -> Score:
    hits = len(predicted & truth)
    precision = hits / len(predicted) if predicted else 0.0
    recall = hits / len(truth) if truth else 0.0
    f1 = 2 * precision * recall / (precision + recall) if hits else 0.0
    return Score(precision, recall, f1)


@dataclass
class Report:
    config: Config
    scores: dict[tuple[str, str, str], list[Score]] = field(default_factory=dict)
    clean: list[tuple[int, int]] = field(default_factory=list)  # (flagged, accounts) per seed
    seconds: float = 0.0

    def add(self, scenario: str, method: str, level: str, value: Score) -> None:
        self.scores.setdefault((scenario, method, level), []).append(value)

    def mean(self, scenario: str, method: str, level: str) -> Score:
        found = self.scores.get((scenario, method, level), [])
        if not found:
            return Score(0.0, 0.0, 0.0)
        return Score(
            *(statistics.fmean(getattr(s, f) for s in found) for f in Score.__annotations__)
        )

    @property
    def false_positive_share(self) -> float:
        flagged = sum(f for f, _ in self.clean)
        accounts = sum(a for _, a in self.clean)
        return flagged / accounts if accounts else 0.0


Predicted = dict[str, set[str]]


def _ours(frame: LedgerFrame, catalog: synthetic.Catalog, config: Config) -> Predicted:
    result = detection.detect(frame, config.settings)
    names = _names(catalog)
    return {
        "account": {names["customers"][int(i)] for r in result.rings for i in r.accounts},
        "order": {names["orders"][int(i)] for r in result.rings for i in r.orders},
        "seller": {names["sellers"][int(i)] for r in result.rings for i in r.sellers},
    }


def _fraudar(frame: LedgerFrame, catalog: synthetic.Catalog, count: int) -> Predicted:
    accounts, rows = dense(frame.customer)
    products, cols = dense(frame.product)
    names = _names(catalog)
    found: Predicted = {level: set() for level in LEVELS}
    for block in fraudar.blocks(rows, cols, count):
        lines = np.flatnonzero(np.isin(rows, block.rows) & np.isin(cols, block.cols))
        found["account"] |= {names["customers"][int(i)] for i in accounts[block.rows]}
        found["order"] |= {names["orders"][int(i)] for i in np.unique(frame.order[lines])}
        sellers: I64 = beneficiaries(frame, lines) if lines.size else np.zeros(0, np.int64)
        found["seller"] |= {names["sellers"][int(i)] for i in sellers}
    del products
    return found


def _names(catalog: synthetic.Catalog) -> dict[str, dict[int, str]]:
    return {
        "customers": catalog.customers.external(),
        "orders": catalog.orders.external(),
        "sellers": catalog.sellers.external(),
    }


def evaluate(config: Config, progress: Callable[[str], None] | None = None) -> Report:
    report = Report(config)
    started = time.perf_counter()
    say = progress or (lambda _: None)
    for seed in range(1, config.seeds + 1):
        say(f"seed {seed}: generating {config.orders:,} orders")
        market = generate(
            customers=config.customers, orders=config.orders, seed=seed, today=config.today
        )
        clean, catalog = synthetic.build(market.iter_orders(), market.iter_reviews())
        flagged = _ours(clean, catalog, config)["account"]
        report.clean.append((len(flagged), len(catalog.customers.of)))
        for scenario in config.scenarios:
            say(f"seed {seed}: scenario {scenario}")
            injected = injections.inject(market, seed, scenario)
            names = copy.deepcopy(catalog)
            extra, names = synthetic.build(injected.orders, injected.reviews, names)
            frame = concat([clean, extra])
            truth = {
                "account": injected.accounts,
                "order": injected.fraud_orders,
                "seller": injected.sellers,
            }
            found = {
                "shopsafe": _ours(frame, names, config),
                "fraudar": _fraudar(frame, names, injected.groups),
            }
            for method, predicted in found.items():
                for level in LEVELS:
                    report.add(scenario, method, level, score(predicted[level], truth[level]))
    report.seconds = time.perf_counter() - started
    return report


def markdown(report: Report) -> str:
    """The figures as a Markdown table (means over the seeds)."""
    config = report.config
    head = [
        f"{config.seeds} seeds × marketplaces of {config.customers:,} customers and "
        f"{config.orders:,} orders; {report.seconds:.0f} s.",
        "",
        "| Scenario | Level | Shopsafe P | R | F1 | FRAUDAR P | R | F1 |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    rows = []
    for scenario in config.scenarios:
        for level in LEVELS:
            ours = report.mean(scenario, "shopsafe", level)
            base = report.mean(scenario, "fraudar", level)
            rows.append(
                f"| {injections.DESCRIPTIONS[scenario]} | {level} | {ours.precision:.3f} | "
                f"{ours.recall:.3f} | **{ours.f1:.3f}** | {base.precision:.3f} | "
                f"{base.recall:.3f} | {base.f1:.3f} |"
            )
    flagged = sum(f for f, _ in report.clean)
    accounts = sum(a for _, a in report.clean)
    tail = [
        "",
        f"Without injections: {flagged} of {accounts:,} accounts flagged "
        f"({report.false_positive_share:.3%}; goal ≤ 0.1 %).",
    ]
    return "\n".join(head + rows + tail)


def as_dict(report: Report) -> dict[str, object]:
    """The figures as JSON: per scenario, method and level the mean over seeds."""
    config = report.config
    return {
        "seeds": config.seeds,
        "customers": config.customers,
        "orders": config.orders,
        "seconds": round(report.seconds, 1),
        "false_positive_share": report.false_positive_share,
        "clean": [{"flagged": f, "accounts": a} for f, a in report.clean],
        "scenarios": {
            scenario: {
                method: {level: vars(report.mean(scenario, method, level)) for level in LEVELS}
                for method in METHODS
            }
            for scenario in config.scenarios
        },
    }
