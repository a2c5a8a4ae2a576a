"""Diagnostics that lead to the fix (issue 11 §5): the spellings of rounding
words, "did you mean" for keywords and names, expected-token lists.

Expected amounts are worked out by hand in the comments."""

import pytest

from feedsl.api import check_source, compile_source, module_from_source
from feedsl.cli import main
from feedsl.source import SourceFile
from feedsl.spelling import near_keywords

HEAD = "規程 t 「テスト」\n\n入力 n: 人 「人数」\n"


def diags(body: str):
    _, ds = check_source(SourceFile("t.fee", HEAD + body))
    return ds


def load(body: str):
    c = compile_source(SourceFile("t.fee", HEAD + body))
    assert c.ok, [d.message for d in c.diagnostics]
    return module_from_source(c.python, "t_mod", "<t>")


# --- rounding words --------------------------------------------------------

@pytest.mark.parametrize("word, at2, at3", [
    # n × 155円/人 to 100円: n=2 → 310円, n=3 → 465円.
    ("四捨五入", 300, 500),   # 310 → 300 (10 < 50), 465 → 500 (65 ≥ 50)
    ("切り捨て", 300, 400),   # 310 → 300, 465 → 400
    ("切捨て", 300, 400),
    ("切捨", 300, 400),
    ("切り上げ", 400, 500),   # 310 → 400, 465 → 500
    ("切上げ", 400, 500),
    ("切上", 400, 500),
])
def test_every_spelling_of_a_rounding_word_rounds_as_its_canonical_word(word, at2, at3):
    m = load(f"規則 fee 「会費」 [1] = {word}(n × 155円/人, 100円)\n")
    assert (m.fee(n=2), m.fee(n=3)) == (at2, at3)


@pytest.mark.parametrize("word, canonical", [("切捨て", "切り捨て"), ("切捨", "切り捨て"),
                                             ("切上げ", "切り上げ"), ("切上", "切り上げ")])
def test_a_variant_spelling_is_shown_as_the_canonical_word(word, canonical):
    """The AST holds the canonical word, so explain() (and the pages) show it."""
    m = load(f"規則 fee 「会費」 [1] = {word}(n × 155円/人, 100円)\n")
    text = str(m.explain("fee", n=2))
    assert canonical in text and word not in text.replace(canonical, "")


# --- keywords ----------------------------------------------------------------

@pytest.mark.parametrize("body, line, hint", [
    ("入カ m: 人 「人数」\n", 4, "「入力」ですか？"),             # katakana カ for 力
    ("規側 fee 「会費」 [1] = n × 1円/人\n", 4, "「規則」ですか？"),  # homophone 側 for 則
    ("規則 fee 「会費」 [1] =\n    場会\n        n > 3人 → 2円\n        それ以外 → 1円\n", 5, "「場合」ですか？"),
    ("表 t 「表」 n により\n    10人以下 1円\n    それ以上 2円\n", 4, "「による」ですか？"),
    ("表 t 「表」 n による\n    10人以内 1円\n    それ以上 2円\n", 5, "「以下」ですか？"),
    ("表 t 「表」 n による\n    10人以下 1円\n    それ以下 2円\n", 6, "「それ以上」または「それ以外」ですか？"),
    ("表 t 「表」 n による、k ごと (a b)\n    10人以下 1円 2円\n", 4, "「別」ですか？"),
    ("規則 fee 「会費」 [1] = もし n > 3人 且つ n < 5人 ならば 1円 そうでなければ 2円\n", 4, "「かつ」ですか？"),
    ("規則 fee 「会費」 [1] = 最少(n × 1円/人, 3円)\n", 4, "「最小」ですか？"),
    ("規則 fee 「会費」 [1] =\n    場合\n        n > 3人 → 2円\n        その他 → 1円\n", 7, "「それ以外」ですか？"),
    ("規則 fee 「会費」 [1] = 四捨五人(n × 1円/人, 10円)\n", 4, "「四捨五入」ですか？"),
    ("規則 fee 「会費」 [1] = もし n > 3人 なら 1円 そうでなければ 2円\n", 4, "「ならば」ですか？"),
])
def test_a_misspelled_keyword_gets_a_did_you_mean_hint(body, line, hint):
    (d,) = diags(body)
    assert (d.code, d.span.line, d.hint) == ("F001", line, hint)


def test_a_bound_word_misspelled_after_the_unit_is_named():
    """10人位上 reads as the unit 人位上 (not a syntax error): the unit error says what was meant."""
    ds = diags("表 t 「表」 n による\n    10人位上 1円\n")
    assert (ds[0].code, ds[0].span.line, ds[0].hint) == ("F201", 5, "「10人以上」ですか？")
    ds = diags("規則 fee 「会費」 [1] = もし n が 10人位上 ならば 1円 そうでなければ 2円\n")
    assert (ds[0].code, ds[0].hint) == ("F201", "「10人以上」ですか？")


def test_every_misspelled_item_of_a_file_is_reported():
    """A near miss of a top-level keyword still starts an item: the next one is parsed too."""
    ds = diags("入カ m: 人 「人数」\n規側 fee 「会費」 [1] = n × 1円/人\n")
    assert [(d.span.line, d.hint) for d in ds] == [(4, "「入力」ですか？"), (5, "「規則」ですか？")]


def test_expected_tokens_never_offer_a_newline():
    for body in ["規則 fee 「会費」 [1] = n × 1円/人 )\n", "規則 fee 「会費」 [1] = n ×\n",
                 "入カ m: 人 「人数」\n", "表 t 「表」 n による\n    10人以内 1円\n"]:
        for d in diags(body):
            assert "改行" not in d.message, d.message


def test_no_hint_for_a_word_that_is_nothing_like_a_keyword():
    assert near_keywords("会費", ["規則", "入力", "表"]) == []
    (d,) = diags("会費 fee 「会費」 [1] = n × 1円/人\n")
    assert d.code == "F001" and "ですか" not in d.hint


def test_check_cli_shows_the_keyword_hint(tmp_path, capsys):
    f = tmp_path / "kw.fee"
    f.write_text(HEAD + "規側 fee 「会費」 [1] = n × 1円/人\n", "utf-8")
    assert main(["check", str(f)]) == 1
    err = capsys.readouterr().err
    assert f"{f}:4:1: エラー F001" in err and "ヒント: 「規則」ですか？" in err
    assert main(["check", "--lang", "en", str(f)]) == 1
    assert "did you mean '規則'?" in capsys.readouterr().err


# --- names -------------------------------------------------------------------

def test_example_input_the_rule_does_not_use_is_F106_and_says_so():
    ds = diags("入力 m: 人 「会員数」\n規則 fee 「会費」 [1] = n × 10円/人\n規則 g 「g」 [2] = m × 1円/人\n"
               "例 fee(n=2人, m=3人) = 20円\n")
    (d,) = [d for d in ds if d.is_error]
    assert d.code == "F106" and "使いません" in d.message and "使う入力: n" in d.message


def test_example_input_that_does_not_exist_is_F111_with_did_you_mean():
    ds = diags("入力 members: 人 「会員数」\n規則 fee 「会費」 [1] = members × 10円/人\n"
               "例 fee(member=2人) = 20円\n")
    (d,) = [d for d in ds if d.is_error]
    assert (d.code, d.span.line, d.span.col) == ("F111", 6, 7)
    assert "ありません" in d.message and d.hint == "「members」のことですか？"


def test_example_parameter_misspelled_is_F111_naming_the_parameter():
    ds = diags("規則 per(count: 人 「人数」) 「会費」 [1] = count × 10円/人\n例 per(cuont=2人) = 20円\n")
    (d,) = [d for d in ds if d.is_error]
    assert d.code == "F111" and d.hint == "「count」のことですか？"


def test_a_name_differing_only_in_case_or_underscore_is_suggested():
    ds = diags("入力 base_households: 世帯 「世帯数」\n規則 fee 「会費」 [1] = basehouseholds × 1円/世帯\n")
    (d,) = [d for d in ds if d.is_error]
    assert d.code == "F101" and d.hint == "「base_households」のことですか？"


def test_misspelled_record_field_in_an_example_is_suggested():
    body = ("記録 site 「事業所」\n    capacity: 人 「定員」\n    rooms: 室 = 0 「室数」\n"
            "規則 fee(s: site 「事業所」) 「会費」 [1] = s.capacity × 10円/人 + s.rooms × 1円/室\n"
            "例 fee(s={capacty=2人}) = 20円\n")
    ds = diags(body)
    (d,) = [d for d in ds if d.is_error]
    assert d.code == "F204" and d.hint == "「capacity」のことですか？"


def test_check_cli_names_the_missing_example_input(tmp_path, capsys):
    f = tmp_path / "ex.fee"
    f.write_text(HEAD + "規則 fee 「会費」 [1] = n × 10円/人\n例 fee(nn=2人) = 20円\n", "utf-8")
    assert main(["check", str(f)]) == 1
    err = capsys.readouterr().err
    assert f"{f}:5:7: エラー F111: 入力「nn」はありません" in err and "ヒント: 「n」のことですか？" in err
