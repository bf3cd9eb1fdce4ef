#!/usr/bin/env python3
"""Builds the documentation site and checks it (the `docs_site` test).

1. Stages README.md (as the landing page) and docs/*.md; links to files outside the pages
   (sources, examples) become GitHub-independent code spans, links between pages stay.
2. Renders docs/diagrams/*.dot with Graphviz, and the API reference with Doxygen
   (docs/Doxyfile: any warning fails), into the staged tree under api/.
3. Builds the static HTML site with MkDocs (strict: a broken page link fails).
4. Checks every internal link of the site with linkchecker.
5. Renders the landing page and one reference page in headless Chromium to PNGs and checks
   that each is neither blank nor an error page.

Usage: build_site.py <source dir> <work dir> <doxygen> <dot> <mkdocs> <linkchecker> <chromium>
"""
import os
import pathlib
import re
import shutil
import struct
import subprocess
import sys
import zlib

src, work = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2])
doxygen, dot, mkdocs, linkchecker, chromium = sys.argv[3:8]
stage, site = work / "stage", work / "site"
shutil.rmtree(work, ignore_errors=True)
stage.mkdir(parents=True)

LINK = re.compile(r"(?<!!)\[([^\]]*)\]\(([^)\s]+)\)")


def stage_page(text, page_dir):
    """Keeps links to staged pages (and anchors, and http links); turns the others into text."""
    def fix(m):
        label, target = m.group(1), m.group(2)
        if re.match(r"^(https?:|mailto:|#)", target):
            return m.group(0)
        path = target.split("#")[0]
        if page_dir == "" and path.startswith("docs/"):
            return f"[{label}]({target[len('docs/'):]})"
        if page_dir == "docs" and (path.endswith(".md") and "/" not in path or path.startswith("diagrams/")):
            return m.group(0)
        if page_dir == "docs" and path == "../README.md":
            return f"[{label}](index.md)"
        shown = path[3:] if path.startswith("../") else path
        return label if label.strip("`") == shown.rstrip("/") or label.startswith("`") else f"{label} (`{shown}`)"
    return LINK.sub(fix, text)


(stage / "index.md").write_text(stage_page((src / "README.md").read_text(), ""))
pages = sorted(p for p in (src / "docs").glob("*.md"))
for p in pages:
    (stage / p.name).write_text(stage_page(p.read_text(), "docs"))
(stage / "diagrams").mkdir()
for d in sorted((src / "docs" / "diagrams").glob("*.dot")):
    shutil.copy(d, stage / "diagrams" / d.name)
    subprocess.run([dot, "-Tsvg", str(d), "-o", str(stage / "diagrams" / (d.stem + ".svg"))], check=True)

env = dict(os.environ, PROXY_WASM_SOURCE_DIR=str(src), PROXY_WASM_DOXYGEN_OUT=str(stage))
r = subprocess.run([doxygen, str(src / "docs" / "Doxyfile")], env=env, capture_output=True, text=True)
warnings = (stage / "warnings.txt").read_text() if (stage / "warnings.txt").exists() else ""
(stage / "warnings.txt").unlink(missing_ok=True)
if r.returncode != 0 or warnings.strip():
    print(r.stdout, r.stderr, warnings)
    sys.exit("docs site: Doxygen reported warnings (docs/Doxyfile fails on any)")
print("doxygen: API reference built, no warnings")

# The reading order of a new user first (getting started is the first page after the
# landing page), then every other page.
first = ["getting-started.md", "concepts.md", "guide.md", "testing.md", "cookbook.md", "porting.md", "abi.md"]
names = [p.name for p in pages]
nav = ["index.md"] + [n for n in first if n in names] + [n for n in names if n not in first]
config = work / "mkdocs.yml"
config.write_text(
    "site_name: proxy-wasm-cpp\n"
    f"docs_dir: {stage}\n"
    f"site_dir: {site}\n"
    "use_directory_urls: false\n"
    "strict: true\n"
    "theme: {name: mkdocs}\n"
    "nav:\n" + "".join(f"  - {n}\n" for n in nav) + "  - API reference: api/index.html\n")
r = subprocess.run([mkdocs, "build", "--strict", "--quiet", "-f", str(config)], capture_output=True, text=True)
if r.returncode != 0:
    print(r.stdout, r.stderr)
    sys.exit("docs site: mkdocs build failed")
print(f"mkdocs: {len(nav)} pages + the API reference in {site}")

os.chmod(work, 0o755)
for d, _, files in os.walk(work):
    os.chmod(d, 0o755)
r = subprocess.run([linkchecker, "--no-status", "--no-warnings", "--check-extern" if False else "--ignore-url=^https?:",
                    str(site / "index.html")], capture_output=True, text=True)
print(r.stdout[-3000:])
if r.returncode != 0:
    print(r.stderr[-2000:])
    sys.exit("docs site: linkchecker found broken links")


def png_pixels(path):
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, width = 8, b"", 0
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IHDR":
            width = struct.unpack(">I", data[pos + 8:pos + 12])[0]
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    return width, zlib.decompress(idat)


def render(page, expect):
    png = work / (page.stem + ".png")
    base = [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--window-size=1200,900"]
    subprocess.run(base + [f"--screenshot={png}", page.as_uri()], capture_output=True, text=True, timeout=120)
    dom = subprocess.run(base + ["--dump-dom", page.as_uri()], capture_output=True, text=True, timeout=120).stdout
    if not png.exists():
        sys.exit(f"docs site: chromium made no screenshot of {page}")
    width, raw = png_pixels(png)
    distinct = len(set(raw[i:i + 3] for i in range(1, min(len(raw), 3_000_000), 97)))
    if distinct < 20:
        sys.exit(f"docs site: {png} is blank ({distinct} colours sampled)")
    if expect not in dom or "ERR_" in dom or "is not available" in dom:
        sys.exit(f"docs site: {page} rendered as an error page (no '{expect}')")
    print(f"chromium: {page.name} rendered ({width} px wide, {distinct} colours sampled)")


render(site / "index.html", "proxy-wasm-cpp")
render(site / "api" / "classproxy__wasm_1_1HostBuffer.html", "HostBuffer")
print("docs site: built, links checked, pages render")
