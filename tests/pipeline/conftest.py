"""A call context for driving single stages."""

from __future__ import annotations

import pytest

from nocp.config import Settings
from nocp.pipeline.model import CallContext
from nocp.pipeline.tokens import TokenCounter


@pytest.fixture
def ctx() -> CallContext:
    return CallContext(tool="t", settings=Settings(), counter=TokenCounter())
