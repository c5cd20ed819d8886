"""Write ../manifest.json from spec.py: each item with its bytes and sha256 (read from data/)."""

import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from spec import ITEMS  # noqa: E402


def main() -> None:
    corpus = HERE.parent
    manifest = []
    for item in ITEMS:
        file = "data/" + item["file"]
        raw = (corpus / file).read_bytes()
        manifest.append({
            "file": file,
            "kind": item["kind"],
            "bytes": len(raw),
            "sha256": hashlib.sha256(raw).hexdigest(),
            "source": item["source"],
            "license": item["license"],
            "description": item["description"],
            "questions": [{"q": q, "a": a} for q, a in item["questions"]],
        })
    text = json.dumps(manifest, indent=2, ensure_ascii=False) + "\n"
    (corpus / "manifest.json").write_text(text, encoding="utf-8")
    print(f"{len(manifest)} items, {sum(m['bytes'] for m in manifest):,} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
