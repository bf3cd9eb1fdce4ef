#!/usr/bin/env python3
"""Every public function that returns a Status, Result<T> or Maybe<T> names, in its doc
comment (or in the doc of the `@{` group it belongs to), the statuses it can give.

Usage: doc_statuses.py <header>...   Prints each offender; fails when there is one.
"""
import re
import sys

STATUS = re.compile(r"\b(Ok|NotFound|BadArgument|SerializationFailure|ParseFailure|InvalidMemoryAccess|Empty|"
                    r"CasMismatch|InternalFailure|Unimplemented|NotAllowed|InvalidOperation|UnknownStatus|"
                    r"the host's (error|status|failure)|any status)\b")
DECL = re.compile(r"^\s*(?:PROXY_WASM_NODISCARD\s+)?(?:static\s+|inline\s+|virtual\s+)*"
                  r"(Status|Result<.*?>|Maybe<.*?>)\s+(~?\w+)\s*\(")

bad = 0
for path in sys.argv[1:]:
    lines = open(path).read().split("\n")
    depth_body = 0
    group_doc = []
    in_group = False
    for i, line in enumerate(lines):
        s = line.strip()
        if s.startswith("/// @{"):
            in_group = True
            j = i - 1
            group_doc = []
            while j >= 0 and lines[j].strip().startswith("///"):
                group_doc.append(lines[j])
                j -= 1
        elif s.startswith("/// @}"):
            in_group, group_doc = False, []
        m = DECL.match(line)
        if not m or "detail::" in line.split("(")[0] or "operator" in line:
            continue
        j = i - 1
        while j >= 0 and (lines[j].strip().startswith("template") or lines[j].strip().startswith("PROXY_WASM_NODISCARD")):
            j -= 1
        doc = []
        while j >= 0 and lines[j].strip().startswith("///"):
            doc.append(lines[j])
            j -= 1
        text = " ".join(doc + (group_doc if in_group else []))
        if not STATUS.search(text):
            print(f"{path}:{i + 1}: {m.group(2)} returns {m.group(1).split('<')[0]} but its comment names no status")
            bad += 1
print(f"doc statuses: {bad} public functions without statuses")
sys.exit(1 if bad else 0)
