"""One naming rule for everything an upstream offers (tools, prompts, resources)."""

from __future__ import annotations

from nocp.sources.upstream.naming import ExposedNames, exposed_name


def test_every_kind_of_name_follows_the_one_rule_and_maps_back() -> None:
    names = ExposedNames("my server__")
    exposed = [names.expose(n) for n in ("read file", "review", "notes")]
    assert exposed == [exposed_name("my server__", n) for n in ("read file", "review", "notes")]
    assert exposed == ["my_server__read_file", "my_server__review", "my_server__notes"]
    assert [names.original(e) for e in exposed] == ["read file", "review", "notes"]


def test_an_unlisted_name_maps_back_by_its_prefix_and_a_foreign_one_not_at_all() -> None:
    names = ExposedNames("git__")
    assert names.original("git__status") == "status"
    assert names.original("other__status") is None
    assert ExposedNames("").original("status") == "status"  # `nocp wrap`: no prefix
