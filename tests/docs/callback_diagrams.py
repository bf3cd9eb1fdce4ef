#!/usr/bin/env python3
"""docs/concepts.md's callback diagrams, checked against the mock host.

Runs each test executable given with PROXY_WASM_CALLBACK_TRACE set (makeHost() then
records every callback it delivers), rebuilds each stream context's callback sequence, and
compares the transitions seen with the edges of docs/diagrams/{http,tcp}_stream.dot: every
observed transition must be an edge, and every edge must have been observed. The SVGs
beside them (what the pages show) must have the same edges.

Usage: callback_diagrams.py <source dir> <work dir> <test executable>...
       callback_diagrams.py --print <work dir>   (the observed edges, to write a .dot)
"""
import pathlib
import re
import shutil
import subprocess
import sys

STREAM_CALLBACKS = {
    "proxy_on_new_connection", "proxy_on_downstream_data", "proxy_on_upstream_data",
    "proxy_on_downstream_connection_close", "proxy_on_upstream_connection_close",
    "proxy_on_request_headers", "proxy_on_request_body", "proxy_on_request_trailers",
    "proxy_on_response_headers", "proxy_on_response_body", "proxy_on_response_trailers",
    "proxy_on_done", "proxy_on_log", "proxy_on_delete",
}


def node(export):
    return export.replace("proxy_on_", "").replace("context_", "")


def observe(trace_dir):
    edges = {"http": set(), "tcp": set()}
    streams = 0
    for trace in sorted(trace_dir.glob("trace-*.txt")):
        seqs = {}
        for line in trace.read_text().splitlines():
            parts = line.split()
            name, args = parts[0], [int(a) for a in parts[1:]]
            if name == "proxy_on_context_create" and args[1] != 0:
                seqs[args[0]] = ["create"]
            elif name in STREAM_CALLBACKS and args and args[0] in seqs:
                seqs[args[0]].append(node(name))
        for seq in seqs.values():
            streams += 1
            kind = "tcp" if "new_connection" in seq else "http"
            edges[kind].update(zip(seq, seq[1:]))
    return edges, streams


def dot_edges(path):
    return set(re.findall(r"^\s*(\w+)\s*->\s*(\w+)", path.read_text(), re.M))


def svg_edges(path):
    titles = re.findall(r"<title>(\w+)&#45;&gt;(\w+)</title>", path.read_text())
    return set(titles)


def main():
    if sys.argv[1] == "--print":
        edges, streams = observe(pathlib.Path(sys.argv[2]))
        for kind, es in edges.items():
            print(f"// {kind}")
            for a, b in sorted(es):
                print(f"  {a} -> {b};")
        return 0
    root, work, exes = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]), sys.argv[3:]
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    for exe in exes:
        env = {"PROXY_WASM_CALLBACK_TRACE": str(work)}
        r = subprocess.run([exe], env={**__import__("os").environ, **env}, capture_output=True, text=True)
        if r.returncode != 0:
            print(r.stdout[-2000:], r.stderr[-2000:])
            print(f"callback diagrams: {exe} failed")
            return 1
    edges, streams = observe(work)
    failed = False
    for kind in ("http", "tcp"):
        dot = root / "docs" / "diagrams" / f"{kind}_stream.dot"
        drawn = dot_edges(dot)
        for a, b in sorted(edges[kind] - drawn):
            print(f"{dot.relative_to(root)}: observed but not drawn: {a} -> {b}")
            failed = True
        for a, b in sorted(drawn - edges[kind]):
            print(f"{dot.relative_to(root)}: drawn but never observed by a test: {a} -> {b}")
            failed = True
        svg = dot.with_suffix(".svg")
        if not svg.exists() or svg_edges(svg) != drawn:
            print(f"{svg.relative_to(root)}: missing or not generated from {dot.name}: "
                  f"dot -Tsvg {dot.relative_to(root)} -o {svg.relative_to(root)}")
            failed = True
        print(f"{kind}: {len(edges[kind])} transitions observed, {len(drawn)} edges drawn")
    print(f"callback diagrams: {streams} stream contexts traced from {len(exes)} suites")
    return 1 if failed else 0


sys.exit(main())
