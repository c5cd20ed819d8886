"""BM25 relevance and query windows: right answers, and work that grows linearly."""

from __future__ import annotations

import math
from collections.abc import Callable

from nocp.pipeline import relevance
from tests.complexity import growth


def test_scores_are_lucene_bm25() -> None:
    # "apple" is in 1 of 3 documents (lengths 2, 2, 1 words; mean 5/3): idf = ln(1 + 2.5/1.5).
    documents = ["red apple", "green pear", "plum"]
    idf = math.log(1 + (3 - 1 + 0.5) / (1 + 0.5))
    norm = 1.5 * (1 - 0.75 + 0.75 * 2 / (5 / 3))
    assert relevance.scores(documents, "apple") == [idf * 1 / (1 + norm), 0.0, 0.0]


def test_scores_stem_split_identifiers_and_ignore_stop_words() -> None:
    documents = ["wgRevisionId = 7", "the timeouts of the pool", "invoice_total 3.96", "nothing"]
    assert relevance.top(documents, "revision", 4) == [0]
    assert relevance.top(documents, "timeout", 4) == [1]
    assert relevance.top(documents, "invoice total", 4) == [2]
    assert relevance.top(documents, "96", 4) == []  # decimals stay whole
    assert relevance.scores(documents, "the of") == [0.0] * 4


def test_scores_rank_the_document_with_more_query_words_first() -> None:
    documents = ["error in node a", "node b started", "error: node c failed with error"]
    assert relevance.top(documents, "error node", 3) == [2, 0, 1]


def test_scores_work_grows_linearly_with_the_documents() -> None:
    def scoring(n: int) -> Callable[[], object]:
        documents = [f"line {i} node-{i % 7} error {i % 3}" for i in range(n)]
        return lambda: relevance.scores(documents, "error node 3")

    assert growth(scoring, 300) < 5  # quadratic would be 16


def test_best_window_holds_the_most_distinct_words() -> None:
    text = "error " + "x" * 300 + " node error " + "y" * 300
    start = relevance.best_window(text, ["error", "node"], 40)
    assert "node error" in text[start : start + 40]
    assert relevance.best_window("no hit here", ["error"], 5) == 0


def test_best_window_work_grows_linearly_with_the_hits() -> None:
    def windows(n: int) -> Callable[[], object]:
        text = "error node " * n
        return lambda: relevance.best_window(text, ["error", "node"], 400)

    assert growth(windows, 200) < 5  # the old window scan was quadratic: 16
