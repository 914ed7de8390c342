"""`shopsafe brushing evaluate` on small marketplaces: the figures are computed, brushing
rings are found where FRAUDAR finds nothing, and the clean marketplace stays clean."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from shopsafe.brushing import evaluation
from shopsafe.cli import app


def test_scores_and_precision_recall_arithmetic() -> None:
    assert evaluation.score({"a", "b"}, {"b", "c"}) == evaluation.Score(0.5, 0.5, 0.5)
    assert evaluation.score(set(), {"a"}) == evaluation.Score(0.0, 0.0, 0.0)


def test_evaluate_command_prints_the_figures_for_every_scenario() -> None:
    result = CliRunner().invoke(
        app,
        ["brushing", "evaluate", "--seeds", "3", "--customers", "500", "--orders", "2000",
         "--scenarios", "b,c,d", "--json"],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    figures = json.loads(result.stdout)
    assert figures["seeds"] == 3
    assert set(figures["scenarios"]) == {"b", "c", "d"}
    rings = figures["scenarios"]["b"]
    assert rings["shopsafe"]["account"]["f1"] >= 0.9
    assert rings["fraudar"]["account"]["f1"] <= 0.2
    assert figures["scenarios"]["d"]["shopsafe"]["account"]["f1"] >= 0.9
    assert figures["scenarios"]["c"]["shopsafe"]["order"]["f1"] >= 0.9
    assert figures["false_positive_share"] <= 0.001
    assert len(figures["clean"]) == 3


def test_unknown_scenario_is_bad_usage() -> None:
    result = CliRunner().invoke(app, ["brushing", "evaluate", "--scenarios", "z"])
    assert result.exit_code == 2


def test_markdown_report_has_both_methods_side_by_side() -> None:
    config = evaluation.Config(seeds=1, customers=500, orders=2_000, scenarios=("d",))
    text = evaluation.markdown(evaluation.evaluate(config))
    assert "| Scenario | Level | Shopsafe P | R | F1 | FRAUDAR P | R | F1 |" in text
    assert text.count("(d) small rings") == 3
    assert "accounts flagged" in text


def test_every_brushing_command_has_help() -> None:
    for command in (["brushing"], ["brushing", "detect"], ["brushing", "evaluate"]):
        result = CliRunner().invoke(app, [*command, "--help"], prog_name="shopsafe")
        assert result.exit_code == 0, result.output
        assert "Usage: shopsafe" in result.output
