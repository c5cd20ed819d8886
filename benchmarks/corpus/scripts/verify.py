"""Check the development corpus: sizes and hashes match the manifest, every answer is a verbatim
substring of its file, data/ holds exactly the manifest's files, and the corpus's own limits hold
(5 KB–2 MB per item, ≤ 15 MB in all, 3–5 questions per item).

Usage: python3 verify.py [CORPUS_DIR]   (exit status 1 on any problem)
"""

import hashlib
import json
import sys
from pathlib import Path

MIN_BYTES, MAX_BYTES, MAX_TOTAL = 5_000, 2_000_000, 15_000_000


def problems(corpus: Path) -> list[str]:
    """Everything wrong with the corpus at `corpus`, as sentences (empty when it is sound)."""
    manifest = json.loads((corpus / "manifest.json").read_text(encoding="utf-8"))
    found: list[str] = []
    total = 0
    for item in manifest:
        raw = (corpus / item["file"]).read_bytes()
        total += len(raw)
        if len(raw) != item["bytes"] or hashlib.sha256(raw).hexdigest() != item["sha256"]:
            found.append(f"{item['file']}: bytes or sha256 differ from the manifest")
        if not MIN_BYTES <= len(raw) <= MAX_BYTES:
            found.append(f"{item['file']}: {len(raw)} bytes, outside {MIN_BYTES}–{MAX_BYTES}")
        if not 3 <= len(item["questions"]) <= 5:
            found.append(f"{item['file']}: {len(item['questions'])} questions, not 3–5")
        for field in ("kind", "source", "license", "description"):
            if not item.get(field):
                found.append(f"{item['file']}: no {field}")
        text = raw.decode("utf-8")
        found += [f"{item['file']}: answer not verbatim: {qa['a']!r}" for qa in item["questions"] if qa["a"] not in text]
    if total > MAX_TOTAL:
        found.append(f"{total} bytes in all, over {MAX_TOTAL}")
    listed = {item["file"] for item in manifest}
    present = {"data/" + path.name for path in (corpus / "data").iterdir()}
    found += [f"{name}: in data/ but not in the manifest" for name in sorted(present - listed)]
    found += [f"{name}: in the manifest but not in data/" for name in sorted(listed - present)]
    return found


if __name__ == "__main__":
    root = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent
    wrong = problems(root)
    print("\n".join(wrong) or "corpus ok", file=sys.stderr if wrong else sys.stdout)
    sys.exit(1 if wrong else 0)
