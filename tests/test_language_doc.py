"""The language reference docs/language.md cannot drift from the compiler.

Every fenced block with info string ``fee`` is a complete regulation: it must
check with no error and no warning, compile, and every 例 in it must hold.
A block ``fee F123`` is a complete file that must produce diagnostic F123.
The manual's list of diagnostic codes must name exactly the codes feedsl's
source can raise, so a new code cannot ship without its entry.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from feedsl import docs
from feedsl.api import check_file, compile_file
from feedsl.cli import main
from feedsl.examples import run_examples
from feedsl.loader import load

ROOT = Path(__file__).resolve().parent.parent
MANUAL = ROOT / "docs" / "language.md"
TEXT = MANUAL.read_text("utf-8")
LINES = TEXT.split("\n")

FENCE = re.compile(r"^(`{3,})(.*)$")
CODE_ENTRY = re.compile(r"^### (F\d{3}) ")  # an entry of the manual's list of codes
CODE_LITERAL = re.compile(r"""["'](F\d{3})["']""")  # a code as feedsl's source writes it


def _blocks(lines: list[str]) -> list[tuple[str, int, str, str]]:
    """(info string, line of the opening fence, nearest heading, body) of every fenced block."""
    out = []
    heading = ""
    k = 0
    while k < len(lines):
        line = lines[k]
        m = FENCE.match(line)
        if m is None:
            if line.startswith("#"):
                heading = line.lstrip("#").strip()
            k += 1
            continue
        fence, info = m.group(1), m.group(2).strip()
        end = k + 1
        while end < len(lines) and lines[end].rstrip() != fence:
            end += 1
        assert end < len(lines), f"docs/language.md:{k + 1}: the block is never closed"
        out.append((info, k + 1, heading, "\n".join(lines[k + 1:end]) + "\n"))
        k = end + 1
    return out


BLOCKS = _blocks(LINES)
GOOD = [(line, heading, body) for info, line, heading, body in BLOCKS if info == "fee"]
BAD = [(info.split()[1], line, heading, body) for info, line, heading, body in BLOCKS
       if re.fullmatch(r"fee F\d{3}", info)]


def _write(tmp_path: Path, line: int, body: str) -> Path:
    path = tmp_path / f"manual_{line}.fee"
    path.write_text(body, "utf-8")
    return path


def test_the_manual_has_examples_of_both_kinds():
    """The extraction finds the blocks (a broken fence or info string would silently drop them)."""
    assert len(GOOD) >= 25 and len(BAD) >= 35
    odd = [(line, info) for info, line, _, _ in BLOCKS
           if info.startswith("fee") and info != "fee" and not re.fullmatch(r"fee F\d{3}", info)]
    assert odd == []


@pytest.mark.parametrize("line, heading, body", GOOD, ids=[f"{h} L{n}" for n, h, _ in GOOD])
def test_example_block_checks_clean_and_its_examples_hold(tmp_path, line, heading, body):
    path = _write(tmp_path, line, body)
    diags = check_file(path)
    assert [f"{d.code}@{d.span.line}:{d.span.col} {d.message}" for d in diags] == []
    assert compile_file(path).ok
    results = run_examples(load(path))
    assert results, f"docs/language.md:{line}: an example block needs at least one 例"
    assert [r.message for r in results if not r.ok] == []


@pytest.mark.parametrize("code, line, heading, body", BAD, ids=[f"{c} {h} L{n}" for c, n, h, _ in BAD])
def test_diagnostic_block_reports_its_code(tmp_path, code, line, heading, body):
    path = _write(tmp_path, line, body)
    codes = [d.code for d in check_file(path)]
    assert code in codes, f"docs/language.md:{line}: expected {code}, got {codes}"


def _source_codes() -> set[str]:
    found = set()
    for p in (ROOT / "feedsl").rglob("*.py"):
        found.update(CODE_LITERAL.findall(p.read_text("utf-8")))
    return found


def _manual_codes() -> list[str]:
    return [m.group(1) for m in map(CODE_ENTRY.match, LINES) if m]


def test_every_code_feedsl_raises_is_in_the_manual_and_no_other():
    source = _source_codes()
    listed = _manual_codes()
    assert "F001" in source and "F900" in source  # the grep itself works
    assert len(listed) == len(set(listed)), "a code is listed twice"
    assert sorted(source - set(listed)) == [], "codes feedsl raises that the manual does not list"
    assert sorted(set(listed) - source) == [], "codes the manual lists that feedsl never raises"
    assert listed == sorted(listed), "the list is in code order"


def test_every_code_entry_has_an_example():
    """Each entry of the code list shows one example: a ``fee FNNN`` block where one
    file can produce the code, otherwise a ``text`` block showing the situation."""
    entries = [k for k, line in enumerate(LINES) if CODE_ENTRY.match(line)]
    ends = entries[1:] + [next((k for k in range(entries[-1] + 1, len(LINES)) if LINES[k].startswith("## ")),
                               len(LINES))]
    for start, end in zip(entries, ends):
        code = CODE_ENTRY.match(LINES[start]).group(1)
        infos = [info for info, line, _, _ in BLOCKS if start < line <= end]
        assert f"fee {code}" in infos or "text" in infos, f"{code} has no example"


def test_the_readme_tour_links_to_the_manual():
    readme = (ROOT / "README.md").read_text("utf-8")
    tour = readme.split("## A short tour of the language", 1)[1].split("\n## ", 1)[0]
    assert "(docs/language.md)" in tour


def test_docs_check_is_not_confused_by_the_manual(capsys):
    """docs/ holds generated pages and the hand-written manual: --check neither
    calls the manual stale nor a leftover of a removed regulation."""
    regs = sorted((ROOT / "regulations").glob("*.fee"))
    pages = docs.build_pages(regs)
    assert "language.md" not in pages
    assert str(MANUAL) not in docs.leftover_pages(pages, ROOT / "docs")
    assert main(["docs", *map(str, regs), "-o", str(ROOT / "docs"), "--check"]) == 0


def _anchor(heading: str) -> str:
    """GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens."""
    return re.sub(r"[^\w\- ]", "", heading.strip().lower()).replace(" ", "-")


def test_every_link_inside_the_manual_has_its_heading():
    in_code = False
    anchors = set()
    for line in LINES:
        if FENCE.match(line):
            in_code = not in_code
        elif not in_code and line.startswith("#"):
            anchors.add(_anchor(line.lstrip("#")))
    links = re.findall(r"\]\(#([^)]+)\)", TEXT)
    assert links and sorted(set(links) - anchors) == []
