"""How many examples a hypothesis property tries: a few in the default run, many with `--slow`
(CI). Each property is one function, tested twice: `@QUICK` and, marked slow, `@THOROUGH`."""

from __future__ import annotations

from hypothesis import HealthCheck, settings

QUICK = settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
THOROUGH = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
