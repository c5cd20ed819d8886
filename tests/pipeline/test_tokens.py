"""Token counting: tiktoken's own count, offline, with long runs counted in slices."""

from __future__ import annotations

import math
import os
import random
import subprocess
import sys
import time

import pytest
import tiktoken

from nocp.pipeline.tokens import TokenCounter

NORMAL_TEXTS = [
    "hello world",
    "Der schnelle braune Fuchs springt über den faulen Hund. 東京は日本の首都です。",
    '{"id":1,"name":"Ada","tags":["x","y"]}\n[2]{a,b}:\n  1,2\n  3,4',
    "def f(x):\n    return x * 2  # comment\n" * 50,
    "<|endoftext|> is counted as plain text",
    "",
]


@pytest.mark.parametrize("encoding", ["o200k_base", "cl100k_base"])
@pytest.mark.parametrize("text", NORMAL_TEXTS)
def test_equals_tiktoken_on_normal_text(encoding: str, text: str) -> None:
    expected = len(tiktoken.get_encoding(encoding).encode_ordinary(text))
    assert TokenCounter(encoding).count(text) == expected


def test_bpe_files_come_from_the_local_cache_not_the_network() -> None:
    cache = os.environ["TIKTOKEN_CACHE_DIR"]  # set by use_bundled_bpe_files in conftest
    assert os.path.isdir(cache) and os.listdir(cache)


def test_counting_works_offline_from_the_bundled_files_alone() -> None:
    """No TIKTOKEN_CACHE_DIR, no network, no litellm: both encodings load from nocp's package data
    (tiktoken checks each file's SHA-256, so a wrong or truncated file would fail here)."""
    script = (
        "import socket, sys\n"
        "def refuse(*a, **k): raise OSError('network used')\n"
        "socket.socket.connect = refuse; socket.create_connection = refuse\n"
        "sys.modules['litellm'] = None\n"
        "from nocp.pipeline.tokens import BUNDLED_BPE, TokenCounter\n"
        "print(TokenCounter('o200k_base').count('hello world'), TokenCounter('cl100k_base').count('hello world'))\n"
        "import os; assert os.environ['TIKTOKEN_CACHE_DIR'] == str(BUNDLED_BPE)\n"
    )
    env = {k: v for k, v in os.environ.items() if k != "TIKTOKEN_CACHE_DIR"}
    done = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["2", "2"]


@pytest.mark.parametrize(
    "text",
    [
        "x" * 5_000,
        "start " + "ab" * 3_000 + " end",
        "=" * 4_000 + " header\n" + " " * 3_000 + "tail",
        "words before " + "".join(random.Random(3).choice("abcdefgh") for _ in range(6_000)),
    ],
)
def test_long_runs_stay_within_one_token_per_256_characters(text: str) -> None:
    exact = len(tiktoken.get_encoding("o200k_base").encode_ordinary(text))
    counted = TokenCounter().count(text)
    assert abs(counted - exact) <= math.ceil(len(text) / 256)


@pytest.mark.slow
def test_a_50_mb_run_is_counted_quickly() -> None:
    started = time.perf_counter()
    tokens = TokenCounter().count("x" * 50_000_000)
    assert time.perf_counter() - started < 10  # exact BPE on one 50 MB piece takes minutes
    assert 50_000_000 / 256 <= tokens <= 50_000_000
