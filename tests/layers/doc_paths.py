#!/usr/bin/env python3
"""Every file the docs name exists: backticked repository paths (`daemon/pipeline.cpp`,
`imager/wipe/`, `daemon/pipeline*.cpp`: a glob must match something, a folder must be one),
backticked file names (`pipeline_results.cpp`: some file of that name exists somewhere) and relative
markdown links. Prints each one it cannot resolve as FILE:LINE and exits 1; else one summary line.

Usage: doc_paths.py [--root DIR]   (DIR defaults to the repository this script is in)
Checks README.md and docs/*.md.
"""
import argparse
import re
import sys
from pathlib import Path

TOP = {"base", "profiles", "hardware-db", "pxe", "records", "imager", "workshop", "papers", "osbuild",
       "daemon", "cli", "tests", "docs", "scripts", "cmake", "bench", ".ci"}
CODE_SPAN = re.compile(r"(?<!`)`([^`\n]+)`(?!`)")
LINK = re.compile(r"\]\(([^)\s]+)\)")
FILE_NAME = re.compile(r"^[A-Za-z0-9_.-]+\.(cpp|h|sh|py)$")
# Files of other projects the docs cite (ISC Kea, the kernel's headers).
NOT_OURS = {"std_option_defs.h", "dhcp.h", "features.h"}
PATH_LIKE = re.compile(r"^[A-Za-z0-9_.*{},/-]+$")


def exists(root, text):
    text = text.rstrip("/")
    if "." not in text.rsplit("/", 1)[-1] and not any(c in text for c in "*{"):
        # A module named by its stem (`pxe/tftp_server`): its header or source.
        if (root / (text + ".h")).exists() or (root / (text + ".cpp")).exists():
            return True
    if any(c in text for c in "*{"):
        # {a,b} alternatives, then a glob.
        match = re.search(r"\{([^}]*)\}", text)
        if match:
            return any(exists(root, text[:match.start()] + alt + text[match.end():])
                       for alt in match.group(1).split(","))
        return any(root.glob(text))
    return (root / text).exists()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent.parent)
    root = parser.parse_args().root.resolve()
    names = {p.name for p in root.rglob("*")
             if p.is_file() and not any(part.startswith(("build", ".git")) for part in p.relative_to(root).parts)}
    docs = [root / "README.md"] + sorted((root / "docs").glob("*.md"))
    problems = []
    checked = 0
    for doc in docs:
        in_fence = False
        for line_no, line in enumerate(doc.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("```"):
                in_fence = not in_fence
                continue
            if in_fence:
                continue
            where = f"{doc.relative_to(root)}:{line_no}"
            for span in CODE_SPAN.findall(line):
                span = span.strip()
                if not PATH_LIKE.match(span):
                    continue
                first = span.split("/", 1)[0]
                if "/" in span and first in TOP:
                    checked += 1
                    if not exists(root, span):
                        problems.append(f"{where}: `{span}` does not exist")
                elif "/" not in span and FILE_NAME.match(span) and span not in NOT_OURS:
                    checked += 1
                    if span not in names:
                        problems.append(f"{where}: no file is named `{span}`")
            for target in LINK.findall(line):
                if re.match(r"^[a-z]+:", target) or target.startswith("#"):
                    continue
                target = target.split("#", 1)[0]
                checked += 1
                if not (doc.parent / target).exists():
                    problems.append(f"{where}: link target {target} does not exist")
    for problem in problems:
        print(problem, file=sys.stderr)
    if problems:
        print(f"doc_paths: {len(problems)} path(s) in the docs name nothing in the tree", file=sys.stderr)
        return 1
    print(f"doc_paths: ok: {checked} paths in {len(docs)} documents exist")
    return 0


if __name__ == "__main__":
    sys.exit(main())
