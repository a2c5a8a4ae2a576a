"""The grammar and the literal reader."""

import json
import logging
import os
import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import lark
import pytest
from lark import Lark, Token, Tree
from lark.exceptions import LarkError

import feedsl.parse
from feedsl.build import parse_quantity
from feedsl.diagnostics import Diagnostics
from feedsl.parse import PARSER_OPTIONS, FeeIndenter, grammar_text, parse
from feedsl.source import NO_SPAN, SourceFile

ROOT = Path(__file__).resolve().parents[1]


def test_grammar_has_no_lalr_conflicts(caplog):
    """The LALR tables are built without a single shift/reduce or reduce/reduce conflict."""
    caplog.set_level(logging.DEBUG, logger="lark")
    Lark(grammar_text(), postlex=FeeIndenter(), debug=True, **PARSER_OPTIONS)
    conflicts = [r.getMessage() for r in caplog.records if "onflict" in r.getMessage()]
    assert conflicts == []


@pytest.mark.parametrize(
    "text, value, unit",
    [
        ("9,300円", Fraction(9300), "円"),
        ("2万人", Fraction(20000), "人"),
        ("1,000,000円", Fraction(1000000), "円"),
        ("14円/世帯", Fraction(14), "円/世帯"),
        ("21%", Fraction(21, 100), "%"),
        ("20.5%", Fraction(41, 200), "%"),
        ("1.5", Fraction(3, 2), ""),
        ("3千円", Fraction(3000), "円"),
    ],
)
def test_quantity_literals_are_exact(text, value, unit):
    """Quantities become exact Fractions with their unit; never floats."""
    q = parse_quantity(text, NO_SPAN)
    assert q.value == value and type(q.value) is Fraction
    assert str(q.unit) == unit


def _parse(text):
    d = Diagnostics()
    tree = parse(SourceFile("t.fee", text), d)
    return tree, d.items


def test_bounds_lex_apart_from_units():
    """50人以下, 51～100人以下, 401人以上 and 20万人超 split into quantity and bound."""
    tree, diags = _parse(
        "規程 t 「t」\n入力 c: 人 「定員」\n表 f 「f」 c による\n"
        "    50人以下 1円\n    51～100人以下 2円\n    100人超 3円\n")
    assert diags == [] and tree is not None
    bands = [t for t in tree.iter_subtrees() if t.data.startswith("band")]
    assert [b.data for b in bands] == ["band_one", "band_range", "band_one"]


def test_full_width_indentation_is_accepted():
    """Authors indenting with the ideographic space (U+3000) get blocks as with spaces."""
    tree, diags = _parse("規程 t 「t」\n区分 k 「k」\n\u3000\u3000a 「甲」\n\u3000\u3000b 「乙」\n")
    assert diags == [] and tree is not None


def test_comments_and_blank_lines_anywhere():
    """# comments and blank lines may appear between and inside items."""
    tree, diags = _parse("# head\n\n規程 t 「t」\n\n# c\n区分 k 「k」 # trailing\n    a 「甲」\n\n    # inside\n    b 「乙」\n")
    assert diags == [] and tree is not None


def test_every_broken_item_is_reported():
    """A file with three broken items gets three F001 diagnostics, in order."""
    text = "規程 t 「t」\n規則 a 「a」 = 1円 +\n規則 b 「b」 = 2円\n規則 c 「c」 = (3円\n規則 d 「d」 = 4円 4円\n"
    tree, diags = _parse(text)
    assert tree is None
    assert [(d.code, d.span.line) for d in diags] == [("F001", 2), ("F001", 4), ("F001", 5)]


def test_unclosed_label_is_a_diagnostic_not_a_crash():
    """An unclosed 「 is reported at its line with what may be written there."""
    tree, diags = _parse("規程 t 「t」\n入力 a: 人 「人口\n")
    assert tree is None and diags[0].code == "F001" and diags[0].span.line == 2
    assert "ここに書けるもの" in diags[0].message


# --- Shipped parse tables -------------------------------------------------------


def test_shipped_tables_equal_a_fresh_build():
    """grammars/fee.tables.json is exactly what the current fee.lark builds: editing the
    grammar without `python -m feedsl.parse --write-tables` fails here."""
    shipped = (ROOT / "grammars" / feedsl.parse.TABLES_FILE).read_text("utf-8")
    assert shipped == feedsl.parse.tables_text(), "run: python -m feedsl.parse --write-tables"


def test_tables_json_keeps_int_keys_and_tuples():
    """Lark's table data (int-keyed dicts, tuples) comes back from the JSON file with the
    same types, and a Lark dict whose key looks like one of our tags is refused."""
    data = {"states": {0: {3: (0, 7), 4: (1, {"@": 2})}}, "flags": [], "w": [2, 2], "raw": None, "ok": True}
    text = json.dumps(feedsl.parse._to_json(data))
    back = json.loads(text, object_hook=feedsl.parse._from_json_object)
    assert back == data
    assert type(back["states"][0][3]) is tuple and type(back["w"]) is list
    with pytest.raises(ValueError):
        feedsl.parse._to_json({"#tuple": [1]})


@pytest.mark.parametrize("seed", ["1", "2"])
def test_tables_check_command_is_deterministic(seed):
    """`python -m feedsl.parse --check` passes under different string-hash seeds: the
    written tables do not depend on Lark's set iteration order."""
    r = subprocess.run([sys.executable, "-m", "feedsl.parse", "--check"], capture_output=True, text=True,
                       cwd=ROOT, env=dict(os.environ, PYTHONHASHSEED=seed), timeout=120)
    assert r.returncode == 0, r.stderr
    assert "matches" in r.stdout


def test_parser_comes_from_the_tables_without_building(monkeypatch):
    """With the shipped tables matching, the parser is loaded from them: building from
    the grammar is never called."""
    def no_build():
        raise AssertionError("built the parser from the grammar")
    monkeypatch.setattr(feedsl.parse, "build_parser", no_build)
    p = feedsl.parse.parser.__wrapped__()
    assert p.parse("規程 t 「t」\n", start="start").data == "start"


@pytest.mark.parametrize("change", ["grammar", "lark version", "options"])
def test_tables_refused_when_not_built_from_this_grammar_lark_and_options(change, monkeypatch):
    """Tables recorded for another grammar text, Lark version or parser options are not used."""
    assert feedsl.parse.table_parser() is not None
    if change == "grammar":
        monkeypatch.setattr(feedsl.parse, "grammar_text", lambda: grammar_text() + "// edited\n")
    elif change == "lark version":
        monkeypatch.setattr(lark, "__version__", "1.0.0")
    else:
        monkeypatch.setattr(feedsl.parse, "PARSER_OPTIONS", dict(PARSER_OPTIONS, maybe_placeholders=False))
    assert feedsl.parse.table_parser() is None


def test_edited_grammar_is_followed_when_tables_are_stale(monkeypatch):
    """A developer who edits fee.lark (here: the header keyword 規程 becomes 規定) gets a
    parser of the edited grammar, built in memory, before regenerating the tables."""
    edited = grammar_text().replace('header: "規程"', 'header: "規定"')
    assert edited != grammar_text()
    monkeypatch.setattr(feedsl.parse, "grammar_text", lambda: edited)
    p = feedsl.parse.parser.__wrapped__()
    assert p.parse("規定 t 「t」\n", start="start").data == "start"
    with pytest.raises(LarkError):
        p.parse("規程 t 「t」\n", start="start")


def _source_texts():
    files = sorted((ROOT / "regulations").glob("*.fee")) + sorted((ROOT / "tests" / "fixtures").rglob("*.fee"))
    for path in files:
        raw = path.read_bytes()
        # F003's fixture is Shift_JIS on purpose (it never reaches the parser); parse it anyway.
        yield path.relative_to(ROOT).as_posix(), raw.decode("shift_jis" if path.name.startswith("F003") else "utf-8")


def _shape(node):
    """A tree as plain data, with token types and every position (Token == compares text only)."""
    if isinstance(node, Tree):
        m = node.meta
        pos = tuple(getattr(m, a, None) for a in ("line", "column", "end_line", "end_column"))
        return (str(node.data), pos, [_shape(c) for c in node.children])
    if isinstance(node, Token):
        return (node.type, str(node), node.line, node.column, node.end_line, node.end_column)
    return node


def _outcome(p: Lark, text: str, start: str):
    try:
        return _shape(p.parse(text, start=start))
    except LarkError as e:
        tok = getattr(e, "token", None)
        return (type(e).__name__, getattr(e, "line", None), getattr(e, "column", None),
                sorted(getattr(e, "expected", None) or getattr(e, "allowed", None) or ()),
                (tok.type, str(tok)) if tok is not None else None)


@pytest.fixture(scope="module")
def both_parsers():
    loaded = feedsl.parse.table_parser()
    assert loaded is not None
    return loaded, feedsl.parse.build_parser()


@pytest.mark.parametrize("text", [pytest.param(text, id=name) for name, text in _source_texts()])
def test_table_parser_and_fresh_build_give_equal_trees(text, both_parsers):
    """The regulations and every fixture parse to the same tree (token types and positions
    included), or fail with the same error, with the shipped tables and a fresh build;
    whole files and each top-level item on its own (as error recovery re-parses them)."""
    loaded, built = both_parsers
    text = text if text.endswith("\n") else text + "\n"
    assert _outcome(loaded, text, "start") == _outcome(built, text, "start")
    for _, chunk in feedsl.parse._chunks(text):
        assert _outcome(loaded, chunk + "\n", "one_item") == _outcome(built, chunk + "\n", "one_item")
