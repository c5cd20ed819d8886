"""The pipeline's layout holds: stages in `STAGES` order, no stage importing another, the
pipeline free of the store and the server (and the store free of the pipeline)."""

from __future__ import annotations

import ast
from pathlib import Path

from nocp.pipeline import STAGES
from tests.conftest import REPO

SRC = REPO / "src"


def imports_of(package: str) -> dict[str, set[str]]:
    """Every `nocp…` module each module of `package` imports (at any level of its code)."""
    found: dict[str, set[str]] = {}
    for path in sorted((SRC / package.replace(".", "/")).rglob("*.py")):
        module = ".".join(path.relative_to(SRC).with_suffix("").parts).removesuffix(".__init__")
        names: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                names.add(node.module)
                names.update(f"{node.module}.{alias.name}" for alias in node.names)
        found[module] = {name for name in names if name.startswith("nocp")}
    return found


def offenders(package: str, forbidden: tuple[str, ...]) -> dict[str, set[str]]:
    return {
        module: bad
        for module, names in imports_of(package).items()
        if (bad := {n for n in names if n.startswith(forbidden)})
    }


def test_the_stages_run_in_the_documented_order() -> None:
    assert [name for name, _ in STAGES] == ["parse", "precut", "prune_lossless", "convert", "distill", "prune_lossy"]


def test_the_pipeline_and_the_parsers_know_nothing_of_store_server_or_sources() -> None:
    outside = ("nocp.store", "nocp.server", "nocp.sources", "nocp.cli")
    assert offenders("nocp.pipeline", outside) == {}
    assert offenders("nocp.formats", (*outside, "nocp.pipeline")) == {}


def test_the_store_knows_nothing_of_the_pipeline() -> None:
    assert offenders("nocp.store", ("nocp.pipeline",)) == {}


def test_prune_and_distill_do_not_import_each_other() -> None:
    assert offenders("nocp.pipeline.prune", ("nocp.pipeline.distill", "nocp.pipeline.convert")) == {}
    assert offenders("nocp.pipeline.distill", ("nocp.pipeline.prune", "nocp.pipeline.convert")) == {}


def test_no_stage_module_imports_another_stage() -> None:
    modules = imports_of("nocp.pipeline")
    stages = {stage.__module__: f"{stage.__module__}.{stage.__name__}" for _, stage in STAGES}
    assert len(stages) == len(STAGES)  # one module per stage
    for module in stages:
        others = {
            n for n in modules[module] for m, entry in stages.items() if m != module and n in (m, entry)
        }
        assert not others, f"{module} imports the stages {others}"


def test_every_module_in_the_area_stays_under_600_lines() -> None:
    for package in ("pipeline", "formats"):
        for path in (SRC / "nocp" / package).rglob("*.py"):
            assert len(Path(path).read_text(encoding="utf-8").splitlines()) <= 600, path
