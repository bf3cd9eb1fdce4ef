#!/usr/bin/env python3
"""Every C++ block of README.md and docs/*.md is compiled by CI: it must appear, byte for
byte, in a source file under tests/, examples/ or engine/tests/ that the build compiles.
A block that cannot compile on its own terms (the pre-1.0 API that docs/api-changes.md
quotes) is preceded by the line `<!-- snippet: not compiled (<why>) -->`.

Usage: snippets_in_step.py <source dir> [--pending <page>...]. Prints each stale block; fails
when there is one. A --pending page's blocks are reported but do not fail (pages whose
fragments do not have a compiled home yet).
"""
import pathlib
import re
import sys

root = pathlib.Path(sys.argv[1])
pending = set(sys.argv[sys.argv.index("--pending") + 1:]) if "--pending" in sys.argv else set()
sources = {}
for top in ("tests", "examples", "engine/tests"):
    for path in (root / top).rglob("*"):
        if path.suffix in (".cc", ".h") and path.is_file():
            sources[path] = path.read_text(errors="replace")

block_re = re.compile(r"(?:^(<!-- snippet: [^\n]*-->)\n)?^```cpp\n(.*?)^```$", re.M | re.S)
pages = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
stale, checked, exempt = [], 0, 0
for page in pages:
    text = page.read_text()
    for m in block_re.finditer(text):
        marker, block = m.group(1), m.group(2)
        line = text.count("\n", 0, m.start(2))
        if marker:
            if "not compiled" not in marker:
                stale.append(f"{page.relative_to(root)}:{line}: unknown snippet marker {marker}")
            exempt += 1
            continue
        checked += 1
        if not any(block in source for source in sources.values()):
            first = block.strip().splitlines()[0] if block.strip() else "(empty)"
            if str(page.relative_to(root)) in pending:
                print(f"pending: {page.relative_to(root)}:{line}: {first}")
                continue
            stale.append(f"{page.relative_to(root)}:{line}: no compiled file has this block (starts: {first})")
for s in stale:
    print(s)
print(f"snippets: {checked} C++ blocks found in compiled files, {exempt} marked not compiled, {len(stale)} stale")
sys.exit(1 if stale else 0)
