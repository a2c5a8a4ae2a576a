"""No input file crashes the compiler: only diagnostics come out, never another exception.

Random text and random mutations of the real regulations (deleted tokens,
swapped lines, changed numbers, truncation, invalid UTF-8) go through the whole
front end. Bounded: a fixed number of examples and a per-example deadline.
"""

import re
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from feedsl.api import check_source, read_source
from feedsl.diagnostics import FeeCompileError
from feedsl.source import SourceFile

ROOT = Path(__file__).resolve().parents[1]
REGS = [p.read_text("utf-8") for p in sorted((ROOT / "regulations").glob("*.fee"))]
GOOD = [p.read_text("utf-8") for p in sorted((ROOT / "tests" / "fixtures" / "good").glob("*.fee"))]
CORPUS = REGS + GOOD

FUZZ = settings(max_examples=150, deadline=2000, suppress_health_check=[HealthCheck.too_slow],
                derandomize=True)

_TOKEN = re.compile(r"\S+")


def _front_end(text: str) -> None:
    """Parse, build and check; any exception other than a diagnostic is a bug."""
    ir, diags = check_source(SourceFile("fuzz.fee", text))
    for d in diags:
        assert d.code.startswith("F") and d.span.path == "fuzz.fee"
        assert d.span.line >= 0
    if ir is not None:
        from feedsl.codegen.python import generate

        generate(ir)  # compiles the generated source; must never fail


@st.composite
def mutated(draw):
    text = draw(st.sampled_from(CORPUS))
    lines = text.split("\n")
    op = draw(st.sampled_from(["delete_token", "swap_lines", "change_number", "truncate",
                               "duplicate_line", "delete_line", "indent", "insert_token"]))
    if op == "delete_token":
        toks = list(_TOKEN.finditer(text))
        m = toks[draw(st.integers(0, len(toks) - 1))]
        text = text[: m.start()] + text[m.end():]
    elif op == "swap_lines":
        i = draw(st.integers(0, len(lines) - 1))
        j = draw(st.integers(0, len(lines) - 1))
        lines[i], lines[j] = lines[j], lines[i]
        text = "\n".join(lines)
    elif op == "change_number":
        nums = list(re.finditer(r"\d[\d,]*", text))
        m = nums[draw(st.integers(0, len(nums) - 1))]
        new = draw(st.sampled_from(["0", "1", "999999999", "3,000", "10万", "00", "1.5", "-1"]))
        text = text[: m.start()] + new + text[m.end():]
    elif op == "truncate":
        text = text[: draw(st.integers(0, len(text)))]
    elif op == "duplicate_line":
        i = draw(st.integers(0, len(lines) - 1))
        lines.insert(i, lines[i])
        text = "\n".join(lines)
    elif op == "delete_line":
        i = draw(st.integers(0, len(lines) - 1))
        del lines[i]
        text = "\n".join(lines)
    elif op == "indent":
        i = draw(st.integers(0, len(lines) - 1))
        lines[i] = draw(st.sampled_from([" ", "  ", "\t", "\u3000", "        "])) + lines[i]
        text = "\n".join(lines)
    else:
        toks = list(_TOKEN.finditer(text))
        m = toks[draw(st.integers(0, len(toks) - 1))]
        tok = draw(st.sampled_from(["(", ")", "→", "場合", "それ以外", "「", "」", "[", "以下", "×", "÷",
                                    "規則", "表", "0円", "合計(", "∈", ":", "もし", "x", "=", ",", "%"]))
        text = text[: m.start()] + tok + " " + text[m.start():]
    return text


@FUZZ
@given(mutated())
def test_mutated_regulations_give_only_diagnostics(text):
    """A mutated regulation gives diagnostics (or compiles), never an exception."""
    _front_end(text)


_ALPHABET = st.sampled_from(list("規程則表入力例区分記録前提場合もしならばそうでなければ以上以下未満超円人世帯「」[]()→～,:=×÷+-%0123456789 \n\t\u3000abcxyz_#.") + ["    ", "\n    "])


@FUZZ
@given(st.lists(_ALPHABET, max_size=200).map("".join))
def test_random_text_gives_only_diagnostics(text):
    """Random text built from the language's own characters never crashes the compiler."""
    _front_end(text)


@FUZZ
@given(st.text(max_size=300))
def test_arbitrary_unicode_gives_only_diagnostics(text):
    """Any Unicode string at all is handled."""
    _front_end(text)


@settings(max_examples=50, deadline=2000, derandomize=True)
@given(st.binary(max_size=200))
def test_invalid_utf8_is_a_diagnostic(tmp_path_factory, data):
    """Bytes that are not UTF-8 give diagnostic F003; valid ones go through the front end."""
    path = tmp_path_factory.mktemp("fuzz") / "b.fee"
    path.write_bytes(b"\xe8\xa6\x8f\xe7\xa8\x8b " + data)
    try:
        src = read_source(path)
    except FeeCompileError as e:
        assert [d.code for d in e.diagnostics] == ["F003"]
        return
    _front_end(src.text)
