"""Blocks of indentation-structured text — source code, man pages and `--help` output, YAML,
TOML and INI configs, Debian changelogs: a tree read from the indentation, signatures first.

A line's parent is the nearest line above it that is less indented; a `[table]` / `[section]`
header encloses the lines under it at any indentation, and a list item (`- `, `* `) counts as
one column deeper than its dash, so YAML's `key:` then `- item` at the same column still
nests. The parent is kept whenever a line is (`Block.parent`): a focus hit brings the `def` or
`class` it is in, the option it describes, its YAML key path, its TOML table header.

A block is one line that opens something (a signature, or a line with deeper lines under it),
or a run of at most `PIECE_LINES` lines of one level under one parent. Without a focus the
skim takes, shallower first and two from the head for one from the tail: signatures
(`def`, `class`, `func`, `fn`, `#define`, C and JS declarations, `--option` lines, table
headers), each with its lead — the first piece under it, up to its first sentence (a
docstring's first line, an option's first description line) — then everything else
breadth-first (at one depth, the lines that open something — YAML keys, man sections —
before the others; comments and closing brackets last).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nocp.pipeline.prune.text.blocks import Block, spread

PIECE_LINES = 4
PIECE_CHARS = 600
LEAD_LINES = 2
"""The first piece under a signature (its lead) is shorter: the skim takes it with every
signature."""
_DEPTH = 1_000_000
_TAB = 4

_KEYWORD = re.compile(
    r"\s*(?:@?(?:export|default|public|private|protected|internal|static|final|abstract|async"
    r"|override|virtual|inline|extern|unsafe|const|sealed|open|pub(?:\([\w:]+\))?)\s+)*"
    r"(?:def|class|func|fn|function\*?|struct|enum|union|interface|trait|impl|type|typedef|module"
    r"|namespace|package|macro|sub|proc|record|object|protocol|extension|mod)\s",
)
_DEFINE = re.compile(r"\s*#\s*define\s+\w")
_OPTION = re.compile(r"\s*--?[A-Za-z0-9?][\w-]*(?:[ ,=\[<]|$)")
_HEADER = re.compile(r"\s*\[{1,2}[^\[\]=\"]+\]{1,2}\s*(?:[#;].*)?$")
_DECLARATION = re.compile(r"(?:[A-Za-z_$][\w$]*[\s*&]+){1,4}[A-Za-z_$][\w$:.]*\s*\(")
"""C-like, at the line's start: types, then a name, then `(` (`static int foo(`,
`SQLITE_API int sqlite3_open(`); indented, it would read too much prose as code."""
_METHOD = re.compile(
    r"\s*(?:(?:async|static|get|set)\s+|\*\s*)*[A-Za-z_$][\w$]*\s*\([^()]*\)\s*(?::[^{]*)?\{\s*$"
)
_ASSIGNED = re.compile(r"\s*[\w.$]+\s*=\s*(?:async\s+)?(?:function\b|\([^()]*\)\s*=>|[\w$]+\s*=>)")
_CONTROL = re.compile(
    r"\s*(?:\}\s*)?(?:if|else|elif|for|foreach|while|do|try|except|catch|finally|with|switch|case"
    r"|return|select|loop|match|when|unless|until|begin|rescue|ensure|then|new|await|throw|yield"
    r"|delete|typeof|goto|break|continue|echo|print|assert|raise|not|and|or|in|is)\b"
)
_COMMENT = re.compile(r"\s*(?:#(?!\s*define)|//|/\*|\*|-- |;|<!--)")
_CLOSING = re.compile(r"\s*[)\]}]+[);,]*\s*$")
_BULLET = re.compile(r"\s*[-*+] ")
_SENTENCE_END = re.compile(r"(?:[.!?]|\"\"\"|\'\'\'|\*/)\s*$")
"""A signature's lead (a docstring's first line) ends with its first sentence."""


@dataclass(slots=True)
class _Line:
    indent: int
    """Its column (tabs as four), a list item one deeper, a table header -1."""
    opens: bool = False
    """Deeper lines follow it."""


def outline_blocks(lines: list[str]) -> list[Block]:
    """Blocks of indentation-structured text, each with its enclosing line as parent."""
    shapes = _shapes(lines)
    blocks: list[Block] = []
    depth: list[int] = []
    tier: list[int] = []
    stack: list[tuple[int, int]] = []  # (indent, block index) of the lines that enclose
    for index, line in enumerate(lines):
        shape = shapes[index]
        if shape is None:
            continue
        while stack and stack[-1][0] >= shape.indent:
            stack.pop()
        parent = stack[-1][1] if stack else -1
        kind = _tier(line, shape)
        if kind >= 2 and _goes_on(lines, shapes, index, blocks, tier):
            blocks[-1].end = index + 1
            blocks[-1].text += "\n" + line
        else:
            blocks.append(Block(index, index + 1, line, parent=parent))
            depth.append(depth[parent] + 1 if parent >= 0 else 0)
            tier.append(kind)
        stack.append((shape.indent, len(blocks) - 1))
    _rank(blocks, depth, tier)
    return blocks


def _goes_on(
    lines: list[str], shapes: list[_Line | None], index: int, blocks: list[Block], tier: list[int]
) -> bool:
    """Whether line `index` (neither a signature nor opening anything) joins the last block:
    the line before it is that block's, at the same indentation, and the block has room (a
    signature's lead ends at its first sentence)."""
    before = shapes[index - 1] if index else None
    if before is None or before.opens or before.indent != shapes[index].indent or tier[-1] < 2:  # type: ignore[union-attr]
        return False
    block = blocks[-1]
    lead = block.parent >= 0 and block.parent == len(blocks) - 2 and tier[block.parent] == 0
    if lead and (block.end - block.start >= LEAD_LINES or _SENTENCE_END.search(lines[index - 1])):
        return False
    return block.end - block.start < PIECE_LINES and len(block.text) + len(lines[index]) < PIECE_CHARS


def _shapes(lines: list[str]) -> list[_Line | None]:
    """Each line's indentation and whether it opens deeper lines (None: a blank line)."""
    shapes: list[_Line | None] = []
    for line in lines:
        stripped = line.lstrip()
        if not stripped:
            shapes.append(None)
            continue
        width = len(line) - len(stripped)
        column = width + (_TAB - 1) * line[:width].count("\t")
        if _HEADER.match(line) and not width:
            column = -1
        elif _BULLET.match(line):
            column += 1
        shapes.append(_Line(column))
    following: _Line | None = None
    for shape in reversed(shapes):
        if shape is None:
            continue
        shape.opens = following is not None and following.indent > shape.indent
        following = shape
    return shapes


def _tier(line: str, shape: _Line) -> int:
    """0: a signature; 1: another line that opens deeper lines; 2: any other line;
    3: a comment or a closing bracket."""
    if _COMMENT.match(line) or _CLOSING.match(line):
        return 3
    if shape.indent < 0 or _DEFINE.match(line) or _KEYWORD.match(line) or _OPTION.match(line):
        return 0
    if not _CONTROL.match(line) and (
        (_DECLARATION.match(line) and not shape.indent) or _METHOD.match(line) or _ASSIGNED.match(line)
    ):
        return 0
    return 1 if shape.opens and not _CONTROL.match(line) else 2


def _rank(blocks: list[Block], depth: list[int], tier: list[int]) -> None:
    """Ranks and keys (see the module's docstring); the first block must stay."""
    count = len(blocks)
    for index, block in enumerate(blocks):
        kind = tier[index]
        parent = block.parent
        block.key = depth[index] * _DEPTH + spread(index, count)
        if index == 0:
            block.rank = 0
        elif kind == 0:
            block.rank = 1
        elif parent == index - 1 >= 0 and tier[parent] == 0:
            block.rank, block.key = 1, blocks[parent].key  # a signature's lead goes with it
        else:  # breadth-first; at one depth, lines that open something, then the others
            block.rank = 3
            block.key = (depth[index] * 3 + kind - 1) * _DEPTH + spread(index, count)
