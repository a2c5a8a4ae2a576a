"""The grammar and the literal reader."""

import logging
from fractions import Fraction

import pytest
from lark import Lark

from feedsl.build import parse_quantity
from feedsl.diagnostics import Diagnostics
from feedsl.parse import PARSER_OPTIONS, FeeIndenter, grammar_text, parse
from feedsl.source import NO_SPAN, SourceFile


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
