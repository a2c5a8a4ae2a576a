"""The generated Python: readable, safe, isolated from the compiler, and cached."""

import importlib.util
import inspect
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import feedsl
from feedsl.api import compile_file, compile_source
from feedsl.source import SourceFile

ROOT = Path(__file__).resolve().parents[1]
HOKKAIDO = ROOT / "regulations" / "hokkaido_shakyo.fee"


@pytest.fixture(scope="module")
def source():
    c = compile_file(HOKKAIDO)
    assert c.ok
    return c.python


def test_header_says_generated_and_do_not_edit(source):
    """The module starts by naming its .fee file and saying not to edit it."""
    first = source.splitlines()[0]
    assert "Generated from 'regulations/hokkaido_shakyo.fee'" in first or "hokkaido_shakyo.fee" in first
    assert "do not edit" in first


def test_functions_carry_label_and_clause_and_type_hints():
    """Each rule's docstring starts with its label and clause; parameters are typed."""
    mod = feedsl.load(HOKKAIDO)
    doc = mod.municipal_fee.__doc__
    assert doc.splitlines()[0] == "第1種会員 年会費 [第9条(1)]"
    assert "population: 人口 [人]（前年1月1日現在の人口）" in doc
    hints = mod.municipal_fee.__annotations__
    assert hints["population"] == "int" and hints["return"] == "int"


def test_enums_are_str_enums_with_labels():
    """Enumerations become str-valued Enum classes; members carry their Japanese label."""
    import enum

    mod = feedsl.load(HOKKAIDO)
    kind = mod.MunicipalityKind
    assert issubclass(kind, enum.Enum) and issubclass(kind, str)
    assert kind.city == "city" and kind.city.label == "市"
    assert mod.municipal_fee(kind=kind.city, population=25_000, households=12_340,
                             welfare_households=600, sdf_households=40) == 244_000


def test_parameters_are_exactly_the_inputs_needed():
    """A rule's parameters are the inputs it needs, transitively, and no others."""
    mod = feedsl.load(HOKKAIDO)
    assert list(inspect.signature(mod.city_equal_share).parameters) == ["population"]
    assert list(inspect.signature(mod.municipal_levy).parameters) == [
        "kind", "households", "welfare_households", "sdf_households"]
    assert list(inspect.signature(mod.designated_city_fee).parameters) == []


def test_small_sub_rules_are_inlined(source):
    """municipal_fee's small sub-rules (世帯割, 均等割, 上限) are inlined: the entry calls no
    other rule's function, and 世帯割's formula appears once per branch, not more."""
    body = source.split("def municipal_fee(")[1].split("\ndef ")[0]
    assert "_S" not in body.replace("_rt_", "").split("-> int:")[1].split("_rt_entry")[0]
    assert body.count("* 14") == 2


def test_compiled_module_imports_no_parser_or_templates(tmp_path):
    """Importing a compiled module in a fresh interpreter loads neither lark nor jinja2."""
    c = compile_file(HOKKAIDO)
    (tmp_path / "hokkaido_shakyo.py").write_text(c.python, "utf-8")
    code = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(tmp_path)!r})
        import hokkaido_shakyo as m
        assert m.municipal_fee(kind="city", population=25000, households=12340,
                               welfare_households=600, sdf_households=40) == 244000
        bad = [n for n in sys.modules if n.split(".")[0] in ("lark", "jinja2", "attrs", "attr")]
        assert not bad, bad
        print("ok")
    """)
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                       env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "ok"


def test_import_feedsl_does_not_import_lark():
    """`import feedsl` stays light: the parser is imported only when something is compiled."""
    r = subprocess.run([sys.executable, "-c", "import sys, feedsl; print('lark' in sys.modules)"],
                       capture_output=True, text=True, env={"PYTHONPATH": str(ROOT), "PATH": ""})
    assert r.stdout.strip() == "False", r.stderr


GOOD = Path(__file__).parent / "fixtures" / "good"


def test_hostile_text_never_reaches_code():
    """Quotes, backslashes, braces and Python in labels compile to a module that behaves like the clean one."""
    hostile = compile_file(GOOD / "hostile.fee")
    clean = compile_file(GOOD / "hostile_clean.fee")
    assert hostile.ok, hostile.diagnostics
    assert clean.ok
    from feedsl.api import module_from_source

    mh = module_from_source(hostile.python, "h", "<h>")
    mc = module_from_source(clean.python, "c", "<c>")
    for kind in ("a", "b"):
        for n in (0, 1, 7):
            assert mh.fee(kind=kind, n=n) == mc.fee(kind=kind, n=n)
    # The labels survive as data, exactly as written.
    assert mh.K.a.label == "a' + __import__('os').getcwd() + '"
    assert mh.TITLE.startswith("'''" + '"""')
    # The generated code has the same statements: only string constants differ.
    import ast as pyast

    def shape(src):
        tree = pyast.parse(src)
        for node in pyast.walk(tree):
            if isinstance(node, pyast.Constant) and isinstance(node.value, str):
                node.value = ""
        return pyast.dump(tree)

    assert shape(hostile.python) == shape(clean.python)


@pytest.mark.parametrize("name", ["sum", "round", "min", "int", "match", "type", "case"])
def test_builtin_and_soft_keyword_names_work(name):
    """Rules named like builtins or soft keywords compile and do not break generated code."""
    text = f"規程 t 「t」\n入力 n: 人 「n」\n規則 {name} 「x」 [1] = n × 2円/人\n規則 total 「y」 [2] = 最小({name}, 10円) + 四捨五入({name}, 1円)\n"
    c = compile_source(SourceFile("t.fee", text))
    assert c.ok, c.diagnostics
    from feedsl.api import module_from_source

    m = module_from_source(c.python, "t", "<t>")
    assert m.total(n=3) == 6 + 6
    assert getattr(m, name)(n=4) == 8


def test_load_is_cached_by_content_and_recompiles_on_change(tmp_path):
    """load() returns the same module for unchanged text and a new one after an edit."""
    p = tmp_path / "t.fee"
    p.write_text("規程 t 「t」\n規則 fee 「会費」 [1] = 1,000円\n", "utf-8")
    m1 = feedsl.load(p)
    assert feedsl.load(p) is m1 and m1.fee() == 1000
    p.write_text("規程 t 「t」\n規則 fee 「会費」 [1] = 2,000円\n", "utf-8")
    m2 = feedsl.load(p)
    assert m2 is not m1 and m2.fee() == 2000


def test_load_of_broken_file_raises_compile_error_with_location(tmp_path):
    """load() of a broken file raises FeeCompileError whose text shows file:line:col and a caret."""
    p = tmp_path / "broken.fee"
    p.write_text("規程 t 「t」\n規則 fee 「会費」 [1] = 1,000円 + 3人\n", "utf-8")
    with pytest.raises(feedsl.FeeCompileError) as e:
        feedsl.load(p)
    text = str(e.value)
    assert f"{p}:2:" in text and "F201" in text and "^" in text


def test_fee_input_error_is_exported():
    """feedsl.FeeInputError is the runtime's error and a ValueError."""
    from feedsl.runtime import FeeInputError

    assert feedsl.FeeInputError is FeeInputError and issubclass(FeeInputError, ValueError)


def test_written_module_is_importable_like_any_module(tmp_path):
    """`feedsl compile -o DIR` writes a module that imports by file path."""
    from feedsl.cli import main

    assert main(["compile", str(HOKKAIDO), "-o", str(tmp_path)]) == 0
    spec = importlib.util.spec_from_file_location("hk", tmp_path / "hokkaido_shakyo.py")
    m = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(m)
    assert m.facility_fee(category="nursery", capacity=61) == 4600


def test_records_unaffected_by_rules_named_like_builtins():
    """Rules named all / hash / getattr / object do not change how records compare or build."""
    text = ("規程 t 「t」\n記録 fac 「事業所」\n    cap: 人 = 0 「定員」\n"
            "規則 all(f: fac) 「a」 [1] = f.cap × 1円/人\n"
            "規則 hash(f: fac) 「b」 [2] = all(f) + 1円\n"
            "規則 getattr(f: fac) 「c」 [3] = hash(f) + 1円\n"
            "規則 object(fs: fac の一覧) 「d」 [4] = 合計(x ∈ fs: getattr(x))\n")
    c = compile_source(SourceFile("t.fee", text))
    assert c.ok, c.diagnostics
    from feedsl.api import module_from_source

    m = module_from_source(c.python, "tb", "<tb>")
    assert m.object(fs=[{"cap": 3}, m.Fac(cap=4)]) == (3 + 2) + (4 + 2)
    assert m.Fac(cap=1) == m.Fac(cap=1) and hash(m.Fac(cap=1)) == hash(m.Fac(cap=1))
    with pytest.raises(AttributeError):
        m.Fac(cap=1).cap = 2


@pytest.mark.parametrize("value", ["name", "value", "label", "upper", "mro"])
def test_enum_values_that_shadow_enum_attributes_get_a_diagnostic(value):
    """An enum value named like an attribute of Python's str Enum is refused with F102."""
    text = f"規程 t 「t」\n区分 k 「k」\n    {value} 「甲」\n    ok 「乙」\n"
    c = compile_source(SourceFile("t.fee", text))
    assert [d.code for d in c.diagnostics if d.is_error] == ["F102"]


def test_fractional_exclusive_bound_on_whole_number_key():
    """「2.5人未満」 on a count covers 0–2人: the generated chain compares with the right whole bound."""
    text = ("規程 t 「t」\n入力 n: 人 「人数」\n表 fee 「会費」 [1] n による\n"
            "    2.5人未満  1円\n    それ以上  2円\n")
    c = compile_source(SourceFile("t.fee", text))
    assert c.ok, c.diagnostics
    from feedsl.api import module_from_source

    m = module_from_source(c.python, "tf", "<tf>")
    assert [m.fee(n=k) for k in range(5)] == [1, 1, 1, 2, 2]
