"""Distillation inside the pipeline: the seam, the extractive backend, the faithfulness check
and the cost gate — without a server."""

from __future__ import annotations

import pytest

from nocp.config import DistillSettings, Settings
from nocp.pipeline import optimize
from nocp.pipeline.distill.extractive import summarise
from nocp.pipeline.distill.faithful import facts, unfaithful
from nocp.pipeline.distill.gate import judge, prices
from nocp.pipeline.tokens import TokenCounter

SECTION = (
    "## Section {n}\n\n"
    "The service {n} restarts after 30 seconds when the health check fails. "
    "Operators read the dashboard every morning and file a ticket for each alert. "
    "Nothing else about section {n} matters much to anyone.\n"
)
DOC = (
    "# Runbook\n\n"
    + "\n".join(SECTION.format(n=n) for n in range(60))
    + ("\n## Disk\n\nThe disk quota of /var/lib/app is 512 GiB; version 2.4.1 raised it from 256 GiB.\n")
)
ON = Settings(distill={"enabled": True})


def test_facts_finds_numbers_ids_paths_urls_versions_and_quotes() -> None:
    summary = 'v2.4.1 at /var/lib/app took 42 ms, see https://x.org/a. commit 977560f2 said "disk full" 1,024'
    assert facts(summary) == [
        "https://x.org/a",
        "977560f2",
        "/var/lib/app",
        "v2.4.1",
        "disk full",
        "42",
        "1,024",
    ]


@pytest.mark.parametrize(
    ("summary", "invented"),
    [
        ("the quota is 512 GiB", None),
        ("the quota is 513 GiB", "513"),
        ("raised in version 2.4.2", "2.4.2"),
        ("data lives in /var/lib/other", "/var/lib/other"),
        ('it said "quota exceeded"', "quota exceeded"),
        ("see https://example.com/x", "https://example.com/x"),
        ("UUID 123e4567-e89b-12d3-a456-426614174000", "123e4567-e89b-12d3-a456-426614174000"),
        ("12 services", "12"),  # "12" is only a part of "120" in the source: not the same number
    ],
)
def test_a_fact_not_in_the_source_is_found(summary: str, invented: str | None) -> None:
    source = "quota 512 GiB in /var/lib/app since version 2.4.1 after 120 services"
    assert unfaithful(summary, source) == invented


def test_the_extractive_summary_keeps_relevant_sentences_in_order_and_invents_nothing() -> None:
    counter = TokenCounter()
    summary, kept, total = summarise(DOC, "disk quota", 200, counter)
    assert "The disk quota of /var/lib/app is 512 GiB" in summary
    assert counter.count(summary) <= 200 and 0 < kept < total
    lines = [line for line in summary.split("\n") if line and line != "[…]"]
    assert all(line in DOC for line in lines)
    positions = [DOC.index(line) for line in lines]
    assert positions == sorted(positions)
    assert unfaithful(summary, DOC) is None


def test_a_long_document_is_distilled_between_lossless_and_lossy_steps() -> None:
    result = optimize(DOC, tool="runbook", focus="disk quota", settings=ON)
    assert result.report("distill").note.startswith("extractive: distilled;")
    assert result.report("prune_lossy").note == ""  # the summary is within budget: nothing cut
    assert result.distillation is not None and result.report("distill").ms >= result.distillation.ms > 0
    assert "512 GiB" in result.text
    assert (
        "distilled (extractive) from" in result.text
        and f'nocp_expand(handle="{result.handle}")' in result.text
    )
    assert result.distillation is not None and result.distillation.decision == "distilled"
    assert result.tokens <= ON.budget_for("runbook", focused=True)


def test_distillation_is_deterministic() -> None:
    first = optimize(DOC, tool="runbook", focus="disk quota", settings=ON)
    second = optimize(DOC, tool="runbook", focus="disk quota", settings=ON)
    assert first.text == second.text


def test_the_summary_and_its_markers_fit_the_budget() -> None:
    distilled = optimize(DOC, tool="runbook", focus="disk quota", settings=ON)
    assert distilled.report("distill").tokens < distilled.report("prune_lossless").tokens
    assert distilled.tokens <= ON.budget_for("runbook", focused=True)


@pytest.mark.parametrize(
    "settings",
    [Settings(), Settings(distill={"enabled": True}, per_tool={"runbook": {"distill": "never"}})],
    ids=["disabled", "never for this tool"],
)
def test_without_distillation_the_lossy_steps_cut_as_before(settings: Settings) -> None:
    result = optimize(DOC, tool="runbook", focus="disk quota", settings=settings)
    assert result.report("prune_lossy").note == "keep_blocks" and result.report("distill").note == ""
    assert result.distillation is None


def test_json_and_short_text_are_never_distilled() -> None:
    rows = [{"id": i, "text": "x" * 50} for i in range(400)]
    assert optimize(rows, tool="t", settings=ON).distillation is None
    assert optimize("short", tool="t", settings=ON).distillation is None


def test_the_gate_prices_from_litellms_map() -> None:
    assert prices("gpt-4o-mini") == (1.5e-07, 6e-07)
    assert prices("openai/gpt-4o-mini") == (1.5e-07, 6e-07)
    assert prices("ollama/llama3.2") == (0.0, 0.0)
    assert prices("no-such-model") is None


def test_the_gate_says_yes_when_the_saving_is_worth_the_cost() -> None:
    settings = DistillSettings(model="openai/gpt-4o-mini", client_model="claude-sonnet-4-5", rereads=2)
    verdict = judge(settings.model, settings, 10_000, 1_000)
    assert verdict.saved_tokens == 9_000
    assert verdict.value_usd == pytest.approx(9_000 * 3e-06 * 2)  # 0.054
    assert verdict.cost_usd == pytest.approx(10_150 * 1.5e-07 + 1_000 * 6e-07)  # 0.0021225
    assert verdict.worth_it


def test_the_gate_says_no_when_the_model_costs_more_than_it_saves() -> None:
    settings = DistillSettings(model="openai/gpt-4o", client_model="gpt-4o-mini")
    verdict = judge(settings.model, settings, 10_000, 1_000)
    assert not verdict.worth_it and verdict.reason == "value < 1.5 × cost"


def test_the_gate_says_no_for_an_unpriced_model() -> None:
    settings = DistillSettings(model="openai/my-own-model")
    assert judge(settings.model, settings, 10_000, 1_000).reason == "no price for model 'openai/my-own-model'"


@pytest.mark.slow  # 2.4 MB of text
def test_a_huge_text_is_left_to_pruning() -> None:
    huge = "\n".join(f"line {i} of a very long listing" for i in range(80_000))
    result = optimize(huge, tool="t", settings=ON)
    assert result.distillation is not None and result.distillation.decision == "declined"
    assert "left to pruning" in result.distillation.reason
    assert result.report("prune_lossy").note == "keep_blocks"


def test_a_free_backend_needs_no_client_price() -> None:
    settings = DistillSettings(client_model="no-such-model")
    assert judge("extractive", settings, 5_000, 1_000).worth_it
    assert not judge("ollama/llama3.2", settings, 1_000, 1_000).worth_it  # nothing to save
    assert not judge("openai/gpt-4o-mini", settings, 5_000, 1_000).worth_it
