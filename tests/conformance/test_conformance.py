"""The official MCP conformance suite (server scenarios) against the reference server and nocp.

Needs `npm ci` at the repository root (the suite, Node 22 and the bridge are npm packages):
without them the tests skip locally, and fail under CI=true. How to run one target by hand, and
what each failing scenario means: docs/conformance.md.
"""

from __future__ import annotations

import os

import pytest

from tests.conformance import run as conformance

pytestmark = pytest.mark.slow

BRIDGE_ONLY = {"dns-rebinding-protection"}
"""Scenarios a stdio server behind supergateway cannot pass: the bridge answers them, and it
does not validate Host/Origin. Passing it is issue 12's job (`nocp serve --http`)."""

WRAP_FLOOR = {
    "server-initialize",
    "logging-set-level",
    "ping",
    "completion-complete",
    "tools-list",
    "tools-call-simple-text",
    "tools-call-image",
    "tools-call-audio",
    "tools-call-embedded-resource",
    "tools-call-mixed-content",
    "tools-call-with-logging",
    "tools-call-error",
    "tools-call-with-progress",
    "tools-call-sampling",
    "tools-call-elicitation",
    "json-schema-2020-12",
    "elicitation-sep1034-defaults",
    "server-sse-polling",
    "server-sse-multiple-streams",
    "elicitation-sep1330-enums",
    "resources-list",
    "resources-read-text",
    "resources-read-binary",
    "resources-templates-read",
    "resources-subscribe",
    "resources-unsubscribe",
    "prompts-list",
    "prompts-get-simple",
    "prompts-get-with-args",
    "prompts-get-embedded-resource",
    "prompts-get-with-image",
}
"""What passes through `nocp wrap` (31 of 32, measured on 2026-12-02: every scenario the
reference passes behind the same bridge, all but BRIDGE_ONLY). Was 18 before issue 11's
forwarding; none of these may silently break again."""


@pytest.fixture(scope="module", autouse=True)
def _suite_installed() -> None:
    gaps = conformance.missing()
    if gaps and os.environ.get("CI") == "true":
        pytest.fail(f"the conformance suite is not installed: {'; '.join(gaps)}")
    if gaps:
        pytest.skip(f"the conformance suite is not installed: {'; '.join(gaps)}")


def passing(results: dict[str, conformance.Scenario]) -> set[str]:
    return {name for name, scenario in results.items() if scenario.passed}


def failures(results: dict[str, conformance.Scenario]) -> dict[str, tuple[str, ...]]:
    return {name: scenario.failures for name, scenario in results.items() if not scenario.passed}


def test_the_suite_has_the_scenarios_the_floor_names() -> None:
    names = set(conformance.scenario_names())
    assert len(names) == 32
    assert names >= WRAP_FLOOR | BRIDGE_ONLY


def test_reference_on_the_sdk_http_passes_every_scenario() -> None:
    results = conformance.run("reference-http")
    assert failures(results) == {}


def test_reference_behind_the_bridge_fails_only_what_the_bridge_answers() -> None:
    results = conformance.run("reference")
    assert set(failures(results)) == BRIDGE_ONLY, failures(results)


def test_nocp_wrap_passes_at_least_todays_scenarios() -> None:
    results = conformance.run("wrap")
    lost = WRAP_FLOOR - passing(results)
    assert not lost, {name: results[name].failures for name in sorted(lost)}


PROMPTS_THROUGH_WRAP = {
    "prompts-get-simple",
    "prompts-get-with-args",
    "prompts-get-embedded-resource",
    "prompts-get-with-image",
}
"""Pass through `nocp wrap --http` (measured on 2026-12-02, 23 of 32): the one naming rule
reached prompts. Behind the bridge they pass too once the bridge's run is re-measured."""

SERVE_HTTP_FLOOR = {
    "server-initialize",
    "ping",
    "tools-list",
    "tools-call-simple-text",
    "tools-call-error",
    "server-sse-multiple-streams",
    "resources-list",
    "prompts-list",
    "dns-rebinding-protection",
}
"""What `nocp serve --http` alone passes (9 of 32, 2026-12-02): the other scenarios call tools,
prompts and resources only the reference server has."""


def test_nocp_serve_http_passes_the_transport_scenarios() -> None:
    results = conformance.run("serve-http")
    lost = SERVE_HTTP_FLOOR - passing(results)
    assert not lost, {name: results[name].failures for name in sorted(lost)}


def test_nocp_wrap_http_passes_what_wrap_passes_and_dns_rebinding() -> None:
    results = conformance.run("wrap-http")
    lost = (WRAP_FLOOR | PROMPTS_THROUGH_WRAP | BRIDGE_ONLY) - passing(results)
    assert not lost, {name: results[name].failures for name in sorted(lost)}
