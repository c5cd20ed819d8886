"""The built-in tools doing their job, through the real server: file formats, listings that
honour .gitignore, bounded search, and the switches in `[builtins]`."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from inline_snapshot import snapshot

from nocp.config import load_settings
from nocp.errors import ConfigError
from tests.sources.builtin.conftest import call, value_of

pytestmark = pytest.mark.anyio


@pytest.fixture
def project(layout: dict[str, Path]) -> Path:
    root = layout["root"]
    (root / "data.json").write_text('{"name": "nocp", "tags": ["a", "b"]}')
    (root / "table.csv").write_text("id,name,score,code\n1,ada,9.5,007\n2,bob,7,010\n")
    (root / "table.tsv").write_text("id\tname\n1\tada\n")
    (root / "events.jsonl").write_text('{"e": 1}\n{"e": 2}\nnot json\n')
    (root / ".gitignore").write_text("build/\n*.log\n")
    (root / "build").mkdir()
    (root / "build" / "out.txt").write_text("generated\n")
    (root / "app.log").write_text("ERROR boom\n")
    (root / ".git").mkdir()
    (root / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    for name in ("link_file", "link_dir", "link_chain", "etc_link", "inside_link"):
        (root / name).unlink()
    return root


async def test_read_file_shapes_each_format(builtin_server, connect, project) -> None:
    async with connect(builtin_server()) as client:
        results = {
            name: await call(client, "read_file", {"path": name})
            for name in ("data.json", "table.csv", "table.tsv", "events.jsonl", "sub/notes.md")
        }
    assert all(not is_error for is_error, _ in results.values())
    assert value_of(results["data.json"][1]) == {"name": "nocp", "tags": ["a", "b"]}
    assert value_of(results["table.csv"][1]) == [
        {"id": 1, "name": "ada", "score": 9.5, "code": "007"},
        {"id": 2, "name": "bob", "score": 7, "code": "010"},
    ]
    assert value_of(results["table.tsv"][1]) == [{"id": 1, "name": "ada"}]
    assert value_of(results["events.jsonl"][1]) == [{"e": 1}, {"e": 2}, "not json"]
    assert results["sub/notes.md"][1] == "# notes\nnothing secret here"


async def test_a_cut_csv_keeps_whole_rows_and_says_so(builtin_server, connect, project) -> None:
    rows = "".join(f"{i},name{i}\n" for i in range(1000))
    (project / "big.csv").write_text("id,name\n" + rows)
    async with connect(builtin_server(files={"max_file_bytes": 1000})) as client:
        is_error, text = await call(client, "read_file", {"path": "big.csv"})
    value = value_of(text)
    assert not is_error
    assert value["rows"][0] == {"id": 0, "name": "name0"}
    assert all(set(row) == {"id", "name"} for row in value["rows"])  # no half row at the cut
    size = (project / "big.csv").stat().st_size
    assert value["note"].startswith(f"… file is {size:,} bytes; only the first 1,000 were read")


async def test_listings_skip_git_and_gitignored_entries(builtin_server, connect, project) -> None:
    async with connect(builtin_server()) as client:
        listing = await call(client, "list_directory", {"path": "."})
        everything = await call(client, "list_directory", {"path": ".", "include_ignored": True})
        deep = await call(client, "list_directory", {"path": ".", "depth": 2})
        tree = await call(client, "directory_tree", {"path": "."})
    names = [row["path"] for row in value_of(listing[1])]
    assert names == [
        ".gitignore",
        "data.json",
        "events.jsonl",
        "hello.txt",
        "sub",
        "table.csv",
        "table.tsv",
    ]
    assert {"build", "app.log", ".git"} <= {row["path"] for row in value_of(everything[1])}
    assert {"path": "sub", "kind": "dir", "size": 1} in value_of(deep[1])
    assert {"path": "sub/notes.md", "kind": "file", "size": 28} in value_of(deep[1])
    assert tree[1] == snapshot("""\
./
  .gitignore  13 B
  data.json  36 B
  events.jsonl  27 B
  hello.txt  18 B
  sub/
    notes.md  28 B
  table.csv  45 B
  table.tsv  14 B\
""")


async def test_listing_limits_are_marked(builtin_server, connect, project) -> None:
    async with connect(builtin_server(files={"max_entries": 2})) as client:
        listing = await call(client, "list_directory", {"path": "."})
        tree = await call(client, "directory_tree", {"path": "."})
    value = value_of(listing[1])
    assert len(value["entries"]) == 2
    assert value["note"] == "… 5 more entries not listed (limit 2); list a subdirectory or use less depth"
    assert tree[1].endswith("… 6 more entries not shown (limit 2)")


async def test_search_text_finds_lines_and_honours_glob_and_gitignore(
    builtin_server, connect, project
) -> None:
    async with connect(builtin_server()) as client:
        found = await call(client, "search_text", {"pattern": "ada|nocp"})
        only_csv = await call(client, "search_text", {"pattern": "ada", "glob": "*.csv"})
        ignored = await call(client, "search_text", {"pattern": "boom|generated"})
        folded = await call(client, "search_text", {"pattern": "NOTES", "ignore_case": True})
        invalid = await call(client, "search_text", {"pattern": "(unclosed"})
    assert value_of(found[1]) == [
        {"file": "data.json", "line": 1, "text": '{"name": "nocp", "tags": ["a", "b"]}'},
        {"file": "table.csv", "line": 2, "text": "1,ada,9.5,007"},
        {"file": "table.tsv", "line": 2, "text": "1\tada"},
    ]
    assert [r["file"] for r in value_of(only_csv[1])] == ["table.csv"]
    assert ignored == (False, "no matches for 'boom|generated' in '.' (7 files searched)")
    assert value_of(folded[1]) == [{"file": "sub/notes.md", "line": 1, "text": "# notes"}]
    assert invalid[0] and "invalid regular expression '(unclosed'" in invalid[1]


async def test_search_text_stops_at_its_match_limit(builtin_server, connect, project) -> None:
    (project / "many.txt").write_text("match\n" * 50)
    async with connect(builtin_server(search={"max_matches": 5})) as client:
        is_error, text = await call(client, "search_text", {"pattern": "match", "path": "many.txt"})
    value = value_of(text)
    assert not is_error and len(value["matches"]) == 5
    assert value["note"].startswith("… search stopped at 5 matches")


@pytest.mark.parametrize(
    ("builtins", "expected"),
    [
        (
            {},
            [
                "read_file",
                "list_directory",
                "directory_tree",
                "search_text",
                "query_sqlite",
                "http_get",
            ],
        ),
        (
            {"disabled": ["http"]},
            ["read_file", "list_directory", "directory_tree", "search_text", "query_sqlite"],
        ),
        ({"disabled": ["files", "query_sqlite"]}, ["search_text", "http_get"]),
        ({"enabled": False}, []),
    ],
)
async def test_builtins_can_be_switched_off(builtin_server, connect, builtins, expected) -> None:
    async with connect(builtin_server(**builtins)) as client:
        tools = [t.name for t in (await client.list_tools()).tools if t.name != "nocp_expand"]
        if "http_get" not in expected:
            refused = await call(client, "http_get", {"url": "http://127.0.0.1/"})
            assert refused[0] and "unknown tool 'http_get'" in refused[1]
    assert tools == expected


def test_config_checks_builtin_names_and_resolves_roots_against_the_file(tmp_path: Path) -> None:
    (tmp_path / "conf").mkdir()
    config = tmp_path / "conf" / "nocp.toml"
    config.write_text('[builtins]\nroots = ["data", "/srv"]\ndisabled = ["sqlite"]\n')
    settings = load_settings(config, cwd=tmp_path)
    assert settings.builtins.roots == (tmp_path / "conf" / "data", Path("/srv"))
    config.write_text('[builtins]\ndisabled = ["shell"]\n')
    with pytest.raises(ConfigError, match=r"builtins\.disabled: Value error, unknown built-in 'shell'"):
        load_settings(config, cwd=tmp_path)
    config.write_text('[builtins.http]\nallow_networks = ["localhost"]\n')
    with pytest.raises(ConfigError, match="'localhost' is not an IP address or CIDR range"):
        load_settings(config, cwd=tmp_path)


async def test_config_resource_shows_effective_settings_with_secrets_redacted(
    builtin_server, connect, layout
) -> None:
    server = builtin_server(
        http={
            "host_headers": {
                "api.example.com": {
                    "Authorization": "Bearer live-secret-1",
                    "X-Api-Key": "live-secret-2",
                    "Accept": "text/csv",
                }
            }
        }
    )
    async with connect(server) as client:
        listed = [str(r.uri) for r in (await client.list_resources()).resources]
        text = (await client.read_resource("nocp://config")).contents[0].text
    config = json.loads(text)
    assert "nocp://config" in listed
    assert "live-secret" not in text
    assert config["builtins"]["http"]["host_headers"] == {
        "api.example.com": {"Authorization": "***", "X-Api-Key": "***", "Accept": "text/csv"}
    }
    assert config["builtins"]["roots"] == [str(layout["root"])]
    assert config["tokens"] == {"encoding": "o200k_base"}


@pytest.mark.parametrize(
    ("limits", "note"),
    [
        ({"max_files": 1}, "stopped after 1 files"),
        ({"timeout_s": 1e-9}, "stopped after 1e-09 s"),
    ],
)
async def test_search_text_is_bounded_in_files_and_time(
    builtin_server, connect, project, limits, note
) -> None:
    for i in range(5):
        (project / f"f{i}.txt").write_text("needle\n")
    async with connect(builtin_server(search=limits)) as client:
        is_error, text = await call(client, "search_text", {"pattern": "needle"})
    assert not is_error and note in text
    assert text.count("needle") < 5


async def test_paths_in_a_second_root_come_back_usable(builtin_server, connect, layout, project) -> None:
    server = builtin_server(roots=[layout["root"], layout["outside"]])
    async with connect(server) as client:
        _, found = await call(client, "search_text", {"pattern": "SECRET", "path": str(layout["outside"])})
        hit = value_of(found)[0]
        again = await call(client, "read_file", {"path": hit["file"]})
    assert hit["file"] == str(layout["outside"] / "secret.txt")
    assert again[0] is False and "SECRET" in again[1]


async def test_tools_are_advertised_with_their_arguments(builtin_server, connect) -> None:
    async with connect(builtin_server()) as client:
        tools = {t.name: t.input_schema for t in (await client.list_tools()).tools if t.name != "nocp_expand"}
    required = {name: schema.get("required", []) for name, schema in tools.items()}
    assert required == {
        "read_file": ["path"],
        "list_directory": [],
        "directory_tree": [],
        "search_text": ["pattern"],
        "query_sqlite": ["database", "sql"],
        "http_get": ["url"],
    }
    assert all("focus" in schema["properties"] for schema in tools.values())
