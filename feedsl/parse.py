"""Parsing: ``.fee`` text to a Lark tree, or diagnostics.

The only module that knows where the grammar lives: ``grammars/fee.lark`` in a
checkout, shipped inside the wheel as the ``feedsl.grammars`` package.

Parse tables. Building the LALR tables from the grammar takes ~0.2 s, too slow
to pay on every ``feedsl check``, and Lark's own ``cache=True`` is not an option:
it unpickles a file at a predictable name in the shared temp directory, which any
local user can plant. So the tables are generated at development time and shipped
next to the grammar as ``grammars/fee.tables.json``. After editing fee.lark run::

    python -m feedsl.parse --write-tables    # rewrite grammars/fee.tables.json
    python -m feedsl.parse --check           # exit 1 if it is stale (a test does this too)

The file is JSON read with :func:`json.loads` and handed to Lark's deserializer
(the one its standalone parsers use): no pickle, no code executed. JSON rather
than a Python literal because ``ast.literal_eval`` of the tables takes as long as
building them; rather than a generated module because data cannot do more than
describe tables, and nothing is byte-compiled beside the package. The file records
the sha256 of the grammar text, the Lark version and the parser options it was
built from; when any of them differs (fee.lark edited in a checkout, another Lark)
the parser is built in memory from the grammar, slower but right, and never
cached on disk.
"""

from __future__ import annotations

import functools
import hashlib
import json
import re
import sys
from collections import deque
from importlib import resources
from pathlib import Path

import lark
from lark import Lark, Token, Tree
from lark.exceptions import (
    LarkError,
    UnexpectedCharacters,
    UnexpectedEOF,
    UnexpectedInput,
    UnexpectedToken,
)
from lark.indenter import Indenter

from .diagnostics import Diagnostics
from .source import SourceFile, Span
from .spelling import did_you_mean, did_you_mean_en, near_keywords, word_at


class FeeIndenter(Indenter):
    """Python-style blocks; a full-width space (U+3000) counts as two columns."""

    NL_type = "_NL"
    OPEN_PAREN_types = ["_LP", "_LSQB", "_LB"]
    CLOSE_PAREN_types = ["_RP", "_RSQB", "_RB"]
    INDENT_type = "_INDENT"
    DEDENT_type = "_DEDENT"
    tab_len = 4

    def handle_NL(self, token):
        # Lark's Indenter counts only ' ' and '\t'; authors typing with a
        # Japanese IME often indent with U+3000, which we count as two.
        if self.paren_level > 0:
            return
        yield token
        indent_str = token.rsplit("\n", 1)[1]
        indent = (indent_str.count(" ") + indent_str.count("\t") * self.tab_len
                  + indent_str.count("\u3000") * 2)
        if indent > self.indent_level[-1]:
            self.indent_level.append(indent)
            yield Token.new_borrow_pos(self.INDENT_type, indent_str, token)
        else:
            while indent < self.indent_level[-1]:
                self.indent_level.pop()
                yield Token.new_borrow_pos(self.DEDENT_type, indent_str, token)
            if indent != self.indent_level[-1]:
                raise _BadDedent(token, indent)


class _BadDedent(LarkError):
    def __init__(self, token, indent):
        self.token = token
        self.indent = indent
        super().__init__("bad dedent")


GRAMMAR_FILE = "fee.lark"
TABLES_FILE = "fee.tables.json"
TABLES_FORMAT = "feedsl-lalr-tables/1"
_CHECKOUT_GRAMMARS = Path(__file__).resolve().parent.parent / "grammars"


def _read_grammar_dir(name: str) -> str:
    """A file of ``feedsl.grammars``, from the installed package or the checkout."""
    try:
        return resources.files("feedsl.grammars").joinpath(name).read_text("utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return (_CHECKOUT_GRAMMARS / name).read_text("utf-8")


def grammar_text() -> str:
    """The text of fee.lark, from the installed package or the checkout."""
    return _read_grammar_dir(GRAMMAR_FILE)


PARSER_OPTIONS = dict(
    parser="lalr",
    lexer="contextual",
    propagate_positions=True,
    maybe_placeholders=True,
    start=["start", "one_item"],
)


def build_parser() -> Lark:
    """The parser built from the grammar, in memory (~0.2 s; no cache anywhere)."""
    return Lark(grammar_text(), postlex=FeeIndenter(), **PARSER_OPTIONS)


def _fingerprint() -> dict:
    """What the tables depend on: the grammar text, the Lark version, our options."""
    return {
        "grammar_sha256": hashlib.sha256(grammar_text().encode("utf-8")).hexdigest(),
        "lark_version": lark.__version__,
        "options": json.loads(json.dumps(PARSER_OPTIONS)),
    }


# Lark's serialized tables hold dicts keyed by int and tuples, which JSON lacks:
# they are stored as one-key objects tagged with these names (never a key of
# Lark's own string-keyed dicts: _to_json refuses them there).
_INT_KEYS = "#int-keys"
_TUPLE = "#tuple"


def _to_json(value):
    if isinstance(value, dict):
        if all(type(k) is str for k in value):
            if _INT_KEYS in value or _TUPLE in value:
                raise ValueError(f"a key of Lark's data is one of our tags: {sorted(value)}")
            return {k: _to_json(v) for k, v in value.items()}
        if all(type(k) is int for k in value):
            return {_INT_KEYS: [[k, _to_json(v)] for k, v in value.items()]}
        raise TypeError(f"cannot store a dict with keys {sorted(map(repr, value))}")
    if isinstance(value, tuple):
        return {_TUPLE: [_to_json(v) for v in value]}
    if isinstance(value, list):
        return [_to_json(v) for v in value]
    if value is None or type(value) in (str, int, bool):
        return value
    raise TypeError(f"cannot store {type(value).__name__} in the tables: {value!r}")


def _from_json_object(obj: dict):
    """json.loads hook (called innermost first): undo the two tags of _to_json."""
    if len(obj) == 1:
        if _INT_KEYS in obj:
            return {k: v for k, v in obj[_INT_KEYS]}
        if _TUPLE in obj:
            return tuple(obj[_TUPLE])
    return obj


def _canonical_parse_table(table: dict) -> dict:
    """Number tokens by name and states in breadth-first order from the start states.

    Lark numbers LALR states in set-iteration order, which changes from run to run;
    renumbering makes the tables of one grammar byte-identical on every build, so a
    test can compare the shipped file with a fresh build.
    """
    tokens, states = table["tokens"], table["states"]
    token_id = {name: i for i, name in enumerate(sorted(set(tokens.values())))}
    state_id: dict[int, int] = {}
    queue = deque(table["start_states"][start] for start in sorted(table["start_states"]))
    while queue:
        state = queue.popleft()
        if state in state_id:
            continue
        state_id[state] = len(state_id)
        for token in sorted(states[state], key=tokens.__getitem__):
            action, arg = states[state][token]
            if action == 0:  # shift: arg is the next state
                queue.append(arg)
    if len(state_id) != len(states):
        raise ValueError("some LALR states are unreachable from the start states")
    new_states = {}
    for state in sorted(state_id, key=state_id.__getitem__):
        actions = {token_id[tokens[t]]: (a, state_id[arg] if a == 0 else arg)
                   for t, (a, arg) in states[state].items()}
        new_states[state_id[state]] = dict(sorted(actions.items()))
    return {
        "tokens": {i: name for name, i in token_id.items()},
        "states": new_states,
        "start_states": {k: state_id[v] for k, v in sorted(table["start_states"].items())},
        "end_states": {k: state_id[v] for k, v in sorted(table["end_states"].items())},
    }


def tables_text() -> str:
    """The text of fee.tables.json for the current grammar, Lark and options."""
    from lark.grammar import Rule
    from lark.lark import _LOAD_ALLOWED_OPTIONS  # what Lark.save leaves out, too
    from lark.lexer import TerminalDef

    data, memo = build_parser().memo_serialize([TerminalDef, Rule])
    data["options"] = {k: v for k, v in data["options"].items() if k not in _LOAD_ALLOWED_OPTIONS}
    data["parser"]["parser"] = _canonical_parse_table(data["parser"]["parser"])
    head = {"about": "LALR tables of fee.lark, generated by `python -m feedsl.parse --write-tables`;"
                     " do not edit", "format": TABLES_FORMAT, **_fingerprint()}
    parts = [f"{json.dumps(k)}: {json.dumps(_to_json(v), ensure_ascii=False, separators=(',', ':'))}"
             for k, v in {**head, "memo": memo, "data": data}.items()]
    return "{\n" + ",\n".join(parts) + "\n}\n"


def table_parser() -> Lark | None:
    """The parser from the shipped tables; None when they are missing, unreadable,
    or were not built from this grammar text, this Lark version and these options."""
    try:
        tables = json.loads(_read_grammar_dir(TABLES_FILE), object_hook=_from_json_object)
    except (OSError, ValueError):
        return None
    if not isinstance(tables, dict) or tables.get("format") != TABLES_FORMAT:
        return None
    if any(tables.get(k) != v for k, v in _fingerprint().items()):
        return None
    try:
        data, memo = tables["data"], tables["memo"]
        # Options Lark does not store with the tables are given when loading.
        given = {k: v for k, v in PARSER_OPTIONS.items() if k not in data["options"]}
        return Lark._load_from_dict(data, memo, postlex=FeeIndenter(), **given)
    except (LarkError, KeyError, TypeError, ValueError, AttributeError):
        return None


@functools.lru_cache(maxsize=None)
def parser() -> Lark:
    """The LALR parser, once per process: from the shipped tables, or built in
    memory when they do not match the grammar (see the module docstring).

    The grammar's freedom from LALR conflicts is proven by a test
    (tests/test_parse.py), not at run time.
    """
    return table_parser() or build_parser()


# What each terminal means, in the author's words.
_EXPECT_JA = {
    "NAME": "名前（半角英数字。例: population）",
    "LABEL": "「」で囲んだ見出し（例:「人口」）",
    "CLAUSE": "[ ] で囲んだ条項（例: [第9条(1)]）",
    "QUANTITY": "数量（例: 9,300円・2万人・21%）",
    "DATE": "日付（例: 2024-10-15）",
    "FY_START": "年度の始まり（例: 4月始まり）",
    "UNIT_WORD": "単位（例: 円・人・世帯）",
    "BOUND": "以下・以上・未満・超",
    "CMP_OP": "比較（≤ ≥ < > == ≠）",
    "ADD_OP": "+ または -",
    "MUL_OP": "× または ÷",
    "_NL": "改行",
    "_INDENT": "字下げした行",
    "_DEDENT": "字下げの終わり",
    "_LP": "(",
    "_RP": ")",
    "_LSQB": "[",
    "_RSQB": "]",
    "_LB": "{",
    "_RB": "}",
    "_ARROW": "→",
    "_TILDE": "～",
    "EQUAL": "=",
    "COLON": ":",
    "COMMA": ",",
    "BUILTIN": "四捨五入・切り捨て・最小 などの関数",
    "AGGREGATE": "合計・件数",
    "META_KEY": "出典・施行・原文・年度・説明",
    "NOTE_KEY": "注・解釈",
    "NONE_CELL": "なし",
    "ROW_WORD": "区分の値のラベル（例: 保育所）",
    "NOT_APPLICABLE": "該当なし",
    "$END": "ファイルの終わり",
}
_EXPECT_EN = {
    "NAME": "a name (ASCII, e.g. population)", "LABEL": "a label in 「」",
    "CLAUSE": "a clause reference in [ ]", "QUANTITY": "a quantity (9,300円, 2万人, 21%)",
    "DATE": "a date (2024-10-15)", "UNIT_WORD": "a unit (円, 人, 世帯)", "_NL": "a new line",
    "_INDENT": "an indented line", "_DEDENT": "the end of the indented block", "$END": "end of file",
}


def _describe(term: str, parser_: Lark, lang: str) -> str:
    table = _EXPECT_EN if lang == "en" else _EXPECT_JA
    if term in table:
        return table[term]
    try:
        td = parser_.get_terminal(term)
        pat = td.pattern.value
        if td.pattern.type == "str":
            return f"「{pat}」" if lang != "en" else repr(pat)
    except KeyError:
        pass
    return term


def _expected(terms, lang: str) -> str:
    """What may be written here, in words; never 「改行」: a newline is not
    something an author types to fix a line (the message says so instead)."""
    p = parser()
    names = sorted({_describe(t, p, lang) for t in terms if not t.startswith("__") and t != "_NL"})
    if len(names) > 8:
        names = names[:8] + ["…"]
    return "、".join(names) if lang != "en" else ", ".join(names)


# Terminals that are a choice of words (四捨五入|切り捨て|…): each word is a keyword.
_JAPANESE = re.compile(r"[^\x00-\x7f]")  # keywords are Japanese words (not ( , → …)
_WORD_CHOICE = re.compile(r"\(\?:((?:[^\\|()?*+.\[\]{}^$]+\|)*[^\\|()?*+.\[\]{}^$]+)\)")


def _keywords(terms) -> list[str]:
    """The keywords the parser would take here (規則, 場合, による, 以下 …)."""
    p = parser()
    out = []
    for t in terms:
        try:
            pat = p.get_terminal(t).pattern
        except KeyError:
            continue
        if pat.type == "str":
            out.append(pat.value)
        elif (m := _WORD_CHOICE.fullmatch(pat.value)):
            out.extend(m.group(1).split("|"))
    return [w for w in out if _JAPANESE.match(w)]


def _keyword_hint(text: str, pos, terms) -> tuple[str, str]:
    """「規則」ですか？ when the word at ``pos`` is a near miss of a keyword the
    parser would take there; ('', '') otherwise."""
    if pos is None:
        return "", ""
    found = near_keywords(word_at(text, pos), _keywords(terms))
    return did_you_mean(found), did_you_mean_en(found)


def _token_span(path: str, tok) -> Span:
    line = getattr(tok, "line", None) or 1
    col = getattr(tok, "column", None) or 1
    end_line = getattr(tok, "end_line", None) or line
    end_col = getattr(tok, "end_column", None) or col + 1
    if end_line != line:
        end_col = col + 1
    return Span(path, line, col, end_line, end_col)


def _describe_token(tok: Token) -> str:
    if tok.type in ("_NL",):
        return "改行"
    if tok.type in ("_INDENT",):
        return "字下げ"
    if tok.type in ("_DEDENT",):
        return "字下げの終わり"
    if tok.type == "$END":
        return "ファイルの終わり"
    return f"「{tok.value}」"


def _error_to_diag(src: SourceFile, e: Exception, diags: Diagnostics, line_offset: int = 0,
                   text: str | None = None) -> None:
    text = src.text if text is None else text
    def shift(span: Span) -> Span:
        return Span(span.path, span.line + line_offset, span.col, span.end_line + line_offset, span.end_col)

    if isinstance(e, _BadDedent):
        span = shift(Span(src.path, e.token.end_line or 1, 1, e.token.end_line or 1, 2))
        diags.error("F002", span, "字下げが前の行と揃っていません",
                    "indentation does not match any enclosing block",
                    "同じまとまりの行は同じ字下げにしてください（空白の数を揃える）",
                    "indent lines of one block by the same amount")
    elif isinstance(e, UnexpectedCharacters):
        span = shift(Span(src.path, e.line, e.column, e.line, e.column + 1))
        exp = _expected(e.allowed or (), "ja")
        hint, hint_en = _keyword_hint(text + "\n", e.pos_in_stream, e.allowed or ())
        diags.error("F001", span,
                    f"ここでは使えない文字です。ここに書けるもの: {exp}" if exp else _LINE_ENDS,
                    f"unexpected character here; expected {_expected(e.allowed or (), 'en') or 'the end of the line'}",
                    hint or "全角・半角の違い、「」の閉じ忘れがないか確かめてください",
                    hint_en or "check for full-width/half-width mix-ups and unclosed 「」")
    elif isinstance(e, UnexpectedToken):
        tok = e.token
        if tok.type == "$END":
            lines = text.rstrip("\n").split("\n")
            span = shift(Span(src.path, len(lines), max(1, len(lines[-1])), len(lines), len(lines[-1]) + 1))
        elif tok.type in ("_DEDENT", "_INDENT", "_NL") or tok.line is None:
            ln = tok.line or 1
            # Point at the end of the line that was cut short.
            if tok.type == "_NL":
                col = tok.column or 1
                span = shift(Span(src.path, ln, col, ln, col + 1))
            else:
                ln = tok.end_line or ln
                span = shift(Span(src.path, ln, 1, ln, 2))
        else:
            span = shift(_token_span(src.path, tok))
        exp_ja = _expected(e.expected, "ja")
        hint, hint_en = _keyword_hint(text + "\n", getattr(tok, "start_pos", None), e.expected)
        if tok.type == "_NL":
            what = f"行が途中で終わっています。続きに書けるもの: {exp_ja}"
        else:
            what = f"{_describe_token(tok)} はここに書けません。" + (f"ここに書けるもの: {exp_ja}" if exp_ja else _LINE_ENDS)
        diags.error("F001", span, what,
                    f"unexpected {tok.type} {tok.value!r}; expected {_expected(e.expected, 'en') or 'the end of the line'}",
                    hint, hint_en)
    elif isinstance(e, UnexpectedEOF):
        lines = text.rstrip("\n").split("\n")
        span = shift(Span(src.path, len(lines), 1, len(lines), 2))
        diags.error("F001", span, "ファイルが途中で終わっています", "unexpected end of file")
    else:  # pragma: no cover - any other Lark failure is still a diagnostic
        diags.error("F001", shift(Span(src.path, 1, 1, 1, 2)), f"読み取れません: {e}", f"cannot parse: {e}")


_TOP_WORDS = ("規程", "区分", "記録", "入力", "前提", "規則", "表", "例", "版", "経過措置")
_TOP = re.compile("^(" + "|".join(_TOP_WORDS) + ")")
_LINE_ENDS = "ここで行が終わるはずです（余分なものがあります）"


def _starts_item(line: str) -> bool:
    """A line that begins a top-level item: a keyword at column 0, or a near
    miss of one (規側 …), so that the items after a misspelled one are still parsed."""
    return bool(_TOP.match(line)) or bool(near_keywords(word_at(line, 0), _TOP_WORDS))


def _chunks(text: str):
    """Split a file into top-level items: (first line number, text)."""
    lines = text.split("\n")
    starts = [i for i, ln in enumerate(lines) if _starts_item(ln)]
    if not starts or starts[0] != 0:
        starts = [0] + starts
    for k, s in enumerate(starts):
        e = starts[k + 1] if k + 1 < len(starts) else len(lines)
        yield s, "\n".join(lines[s:e])


def parse(src: SourceFile, diags: Diagnostics) -> Tree | None:
    """Parse a whole file. On failure, report every broken item and return None."""
    text = src.text if src.text.endswith("\n") else src.text + "\n"
    p = parser()
    try:
        return p.parse(text, start="start")
    except (UnexpectedInput, _BadDedent) as e:
        first = e
    except LarkError as e:  # pragma: no cover
        first = e
    # Re-parse item by item so that every broken item is reported.
    found = Diagnostics()
    for offset, chunk in _chunks(text):
        if not chunk.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in chunk.split("\n")):
            continue
        try:
            p.parse(chunk + "\n", start="one_item")
        except (UnexpectedInput, _BadDedent) as e:
            _error_to_diag(src, e, found, line_offset=offset, text=chunk)
        except LarkError as e:  # pragma: no cover
            _error_to_diag(src, e, found, line_offset=offset, text=chunk)
    if found.items:
        diags.extend(found.items)
    else:
        _error_to_diag(src, first, diags)
    return None


def main(argv: list[str] | None = None) -> int:
    """``python -m feedsl.parse --write-tables | --check`` (development only)."""
    import argparse

    ap = argparse.ArgumentParser(prog="python -m feedsl.parse",
                                 description="Regenerate or check grammars/fee.tables.json")
    what = ap.add_mutually_exclusive_group(required=True)
    what.add_argument("--write-tables", action="store_true", help="rewrite the tables from fee.lark")
    what.add_argument("--check", action="store_true", help="exit 1 if the tables are stale")
    args = ap.parse_args(argv)
    if not (_CHECKOUT_GRAMMARS / GRAMMAR_FILE).exists():
        ap.error(f"run this in a checkout: {_CHECKOUT_GRAMMARS / GRAMMAR_FILE} does not exist")
    path = _CHECKOUT_GRAMMARS / TABLES_FILE
    fresh = tables_text()
    if args.write_tables:
        path.write_text(fresh, "utf-8")
        print(f"wrote {path}")
        return 0
    try:
        current = _read_grammar_dir(TABLES_FILE)
    except OSError:
        current = None
    if current != fresh:
        print(f"{TABLES_FILE} is stale: run python -m feedsl.parse --write-tables", file=sys.stderr)
        return 1
    print(f"{TABLES_FILE} matches fee.lark")
    return 0


if __name__ == "__main__":
    sys.exit(main())
