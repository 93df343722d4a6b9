"""The documentation a person finds their way in: a short README whose Contents follow the page, every link in the
README and docs/ reaching a file and a heading that exist, and the snippets that write files working as written in
a fresh HOME (the completion lines failed on a fresh account: their folders did not exist)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT, env_for
from tests.tools import require

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation other than '-' and '_' dropped, spaces to '-'."""
    text = re.sub(r"`", "", heading.strip().lower())
    text = re.sub(r"[^\w\- ]", "", text)
    return text.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    found: set[str] = set()
    fenced = False
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("```"):
            fenced = not fenced
        elif not fenced and line.startswith("#"):
            found.add(slug(line.lstrip("#")))
    return found


def links(path: Path) -> list[str]:
    text = re.sub(r"```.*?```", "", path.read_text(encoding="utf-8"), flags=re.S)
    return LINK.findall(text)


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_every_link_reaches_a_file_and_a_heading(doc: Path) -> None:
    broken = []
    for target in links(doc):
        if target.startswith(("http://", "https://", "mailto:")):
            continue
        file_part, _, anchor = target.partition("#")
        dest = (doc.parent / file_part).resolve() if file_part else doc
        if not dest.exists() or (anchor and dest.suffix == ".md" and anchor not in anchors(dest)):
            broken.append(target)
    assert not broken, broken


def test_the_readme_is_short_and_its_contents_follow_the_page() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) <= 400
    contents = text.split("## Contents", 1)[1].split("\n## ", 1)[0]
    listed = [a for a in re.findall(r"\]\(#([\w-]+)\)", contents)]
    headings = [slug(line[3:]) for line in text.splitlines() if line.startswith("## ")]
    assert listed, contents
    assert [h for h in headings if h in listed] == listed  # page order
    assert set(listed) == set(headings) - {"contents"}  # every section listed


def test_every_doc_is_listed_in_the_readme() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    for doc in (ROOT / "docs").glob("*.md"):
        assert f"(docs/{doc.name})" in text, doc.name


def test_the_completion_snippets_work_as_written_in_a_fresh_home(tmp_path: Path) -> None:
    """The docs' completion block, run by sh in a HOME with no folders at all: each file is written and loads."""
    home = tmp_path / "home"
    home.mkdir()
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    (block,) = [b for b in re.findall(r"```sh\n(.*?)```", doc, re.S) if "glowline completion bash >" in b]
    shim = tmp_path / "bin"
    shim.mkdir()
    (shim / "glowline").write_text(f'#!/bin/sh\nexec "{sys.executable}" -m glowline "$@"\n', encoding="utf-8")
    (shim / "glowline").chmod(0o755)
    env = env_for(home)
    env["PATH"] = f"{shim}{os.pathsep}{env.get('PATH', '')}"
    proc = subprocess.run(["sh", "-e", "-c", block], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    bash_file = home / ".local/share/bash-completion/completions/glowline"
    zsh_file = home / ".zfunc/_glowline"
    fish_file = home / ".config/fish/completions/glowline.fish"
    for written in (bash_file, zsh_file, fish_file):
        assert written.is_file() and written.stat().st_size > 1000, written
    checked = subprocess.run(["bash", "-n", str(bash_file)], capture_output=True, text=True, timeout=30)
    assert checked.returncode == 0, checked.stderr
    for shell, path in (("zsh", zsh_file), ("fish", fish_file)):
        require(shell)
        checked = subprocess.run([shell, "-n", str(path)], capture_output=True, text=True, timeout=30)
        assert checked.returncode == 0, (shell, checked.stderr)
