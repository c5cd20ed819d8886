"""Outlines (source code, man pages, configs): a tree from the indentation; signatures first
without a focus; a focus hit comes with the lines that enclose it and the piece after it."""

from __future__ import annotations

from nocp import optimize
from nocp.formats.textkind import text_kind
from nocp.pipeline.prune.text.outline import outline_blocks
from tests.pipeline.prune.helpers import body, tight


def _module(classes: int = 40, methods: int = 6) -> str:
    parts = ["# A generated module.", "import os", ""]
    for c in range(classes):
        parts += [f"class Widget{c}(Base):", f'    """Widget number {c}."""', ""]
        for m in range(methods):
            parts += [
                f"    def method_{c}_{m}(self, value):",
                f'        """Return the value scaled by {c * m}."""',
                f"        scaled = value * {c * m}",
                "        if scaled > 10:",
                f"            scaled -= {c + m}  # clamp {c}-{m}",
                "        return scaled",
                "",
            ]
    return "\n".join(parts)


def _man_page(options: int = 120) -> str:
    parts = ["tool(1)                 General Commands Manual                tool(1)", "", "OPTIONS"]
    for o in range(options):
        parts += [
            f"       --option-{o} <value>",
            f"              Set the knob number {o} of the engine.",
            f"              The default is {o * 3} when nothing is given, and the knob is",
            "              read once at start-up, before any transfer begins.",
            "",
            f"              Example: tool --option-{o} {o * 5} https://example.com",
            "",
        ]
    return "\n".join(parts)


def test_python_source_is_an_outline_though_its_comments_look_like_headings() -> None:
    assert text_kind(_module(3)) == "outline"
    assert text_kind(_man_page(3)) == "outline"
    assert text_kind("# Title\n\nSome text.\n\n    indented code\n" * 5) == "document"


def test_without_focus_the_signatures_survive_before_the_bodies() -> None:
    sent = body(optimize(_module(), settings=tight(900)).text)
    assert "class Widget0(Base):" in sent and "class Widget39(Base):" in sent
    assert "    def method_0_0(self, value):" in sent
    assert "scaled = value" not in sent  # no body line while a signature is left out


def test_a_focus_hit_in_a_body_brings_its_enclosing_definitions() -> None:
    sent = body(optimize(_module(), focus="clamp 23-4").text).split("\n")
    hit = next(i for i, line in enumerate(sent) if "clamp 23-4" in line)
    above = sent[:hit]
    assert "class Widget23(Base):" in above and "    def method_23_4(self, value):" in above
    assert "        if scaled > 10:" in above


def test_a_man_page_option_and_its_description_are_one_unit() -> None:
    page = _man_page()
    skim = body(optimize(page, settings=tight(900)).text)
    assert "       --option-0 <value>\n              Set the knob number 0 of the engine." in skim
    assert "       --option-119 <value>" in skim  # head and tail
    sent = body(optimize(page, focus="Which default does option-77 have?").text)
    assert "       --option-77 <value>\n              Set the knob number 77 of the engine." in sent
    assert "The default is 231 when" in sent
    example = body(optimize(page, focus="example of tool --option-88").text).split("\n")
    hit = example.index("              Example: tool --option-88 440 https://example.com")
    assert "       --option-88 <value>" in example[:hit]


def test_a_toml_key_comes_with_its_table_header() -> None:
    tables = [
        f'[package.target{t}]\navailable = true\nurl = "https://dist.test/{t}.tar.gz"\nhash = "{t:064x}"'
        for t in range(200)
    ]
    text = "\n\n".join(['manifest-version = "2"', *tables])
    assert text_kind(text) == "outline"
    sent = body(optimize(text, focus="hash of target137").text).split("\n")
    hit = next(i for i, line in enumerate(sent) if f"{137:064x}" in line)
    assert "[package.target137]" in sent[:hit]


def test_a_yaml_value_comes_with_its_parent_keys_and_a_list_item_nests_under_its_key() -> None:
    lines = ["root:", "  flags:", "  - name: alpha", "    help: first", "  - name: beta", "other: 1"]
    blocks = outline_blocks(lines)
    parents = {
        blocks[i].text.strip(): blocks[b.parent].text.strip() for i, b in enumerate(blocks) if b.parent >= 0
    }
    assert parents["flags:"] == "root:"
    assert parents["- name: alpha"] == "flags:" and parents["help: first"] == "- name: alpha"
    assert "other: 1" not in parents
