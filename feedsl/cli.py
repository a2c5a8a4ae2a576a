"""The ``feedsl`` command. Thin: every command calls library functions.

Exit codes: 0 ok; 1 errors in a .fee file or a failing example; 2 bad usage
or bad input.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from fractions import Fraction
from pathlib import Path

from .typed import InputValueError, UsageError
from .typed import clip as _clip
from .typed import coerce as _coerce
from .typed import load_json as _load_json
from .typed import parse_value as _parse_value

EXIT_OK, EXIT_FEE, EXIT_USAGE = 0, 1, 2


def _out(text: str = "") -> None:
    print(text)


def _err(text: str) -> None:
    print(text, file=sys.stderr)


def _files(args_files, default="regulations"):
    from .examples import fee_files

    paths = args_files or [default]
    for p in paths:
        if not Path(p).exists():
            raise UsageError(f"ファイルがありません: {p} / no such file or directory: {p}")
    files = fee_files(paths)
    if not files:
        raise UsageError(f".fee ファイルが見つかりません: {' '.join(map(str, paths))} / no .fee files found")
    return files


def _render(diags, lang: str) -> str:
    from .diagnostics import render

    texts = {}
    out = []
    for d in diags:
        if d.span.path not in texts:
            try:
                texts[d.span.path] = Path(d.span.path).read_text("utf-8-sig")
            except (OSError, UnicodeDecodeError):
                texts[d.span.path] = None
        out.append(render(d, texts[d.span.path], lang))
    return "\n".join(out)


def cmd_check(a) -> int:
    from .api import check_file

    files = _files(a.files)
    all_diags = []
    for f in files:
        all_diags.extend(check_file(f))
    errors = [d for d in all_diags if d.is_error]
    if a.format == "json":
        _out(json.dumps({"files": [str(f) for f in files],
                         "diagnostics": [d.to_dict(a.lang) for d in all_diags],
                         "errors": len(errors),
                         "warnings": len(all_diags) - len(errors)}, ensure_ascii=False, indent=2))
    else:
        if all_diags:
            _err(_render(all_diags, a.lang))
        n_warn = len(all_diags) - len(errors)
        if a.lang == "en":
            _out(f"{len(files)} file(s) checked: {len(errors)} error(s), {n_warn} warning(s)")
        else:
            _out(f"{len(files)} ファイルを検査: エラー {len(errors)} 件、警告 {n_warn} 件")
    return EXIT_FEE if errors else EXIT_OK


def cmd_compile(a) -> int:
    """Write DIR/<規程名>.py for each file without errors. Output clashes (two
    files with one name, a name that shadows an importable module) are errors
    and nothing at all is written then."""
    from .api import compile_file
    from .diagnostics import FeeCompileError
    from .outputs import module_clashes

    files = _files(a.files)
    outdir = Path(a.output)
    status = EXIT_OK
    compiled = []
    for f in files:
        try:
            c = compile_file(f)
        except FeeCompileError as e:
            _err(_render(e.diagnostics, a.lang))
            status = EXIT_FEE
            continue
        if c.diagnostics:
            _err(_render(c.diagnostics, a.lang))
        if not c.ok:
            status = EXIT_FEE
            continue
        compiled.append((f, c))
    clashes = module_clashes(c.ir for _, c in compiled)
    if clashes:
        _err(_render(clashes, a.lang))
        return EXIT_FEE
    for f, c in compiled:
        outdir.mkdir(parents=True, exist_ok=True)
        if a.js:
            # The script for a page: the runtime inlined, the version in force today (版).
            from .api import load
            from .codegen.javascript import from_module

            target = outdir / f"{c.ir.name}.js"
            target.write_text(from_module(load(f)), "utf-8")
        else:
            target = outdir / f"{c.ir.name}.py"
            target.write_text(c.python, "utf-8")
        _out(f"{f} → {target}")
    return status


def cmd_test(a) -> int:
    from .api import load
    from .diagnostics import FeeCompileError
    from .examples import run_examples

    files = _files(a.files)
    passed = failed = 0
    for f in files:
        try:
            mod = load(f)
        except FeeCompileError as e:
            _err(_render(e.diagnostics, "ja"))
            failed += 1
            continue
        from .loader import load_selections

        mods = load_selections(f)  # a file with versions: each version's text and each 経過措置's, with its 例
        for r in (r for m in mods for r in run_examples(m)):
            if r.ok:
                passed += 1
                if a.verbose:
                    _out(f"ok   {r.describe()}")
            else:
                failed += 1
                _out(f"FAIL {r.describe()}")
    _out(f"{passed} passed, {failed} failed")
    return EXIT_FEE if failed else EXIT_OK


def cmd_docs(a) -> int:
    from . import docs
    from .diagnostics import FeeCompileError

    files = _files(a.files)
    if a.templates and not Path(a.templates).is_dir():
        raise UsageError(f"テンプレートのディレクトリがありません: {a.templates} / no such directory")
    if a.watch:
        docs.watch(a.files or ["regulations"], a.output, a.templates,
                   report=lambda text: print(text, flush=True))
        return EXIT_OK
    try:
        pages = docs.build_pages(files, a.templates)
    except FeeCompileError as e:
        _err(_render(e.diagnostics, "ja"))
        return EXIT_FEE
    if a.check:
        stale = docs.stale_files(pages, a.output)
        leftover = docs.leftover_pages(pages, a.output)
        if stale or leftover:
            if stale:
                _err("古いページがあります（feedsl docs で作り直してください） / stale pages:")
                for s in stale:
                    _err(f"  {s}")
            if leftover:
                _err("どの規程からも作られないページがあります（削除してください） / pages no regulation produces:")
                for s in leftover:
                    _err(f"  {s}")
            return EXIT_FEE
        _out(f"{len(pages)} ページは最新です / {len(pages)} pages up to date")
        return EXIT_OK
    written = docs.write_pages(pages, a.output)
    for w in written:
        _out(f"→ {w}")
    _out(f"{len(pages)} ページ（書き換え {len(written)}） / {len(pages)} pages, {len(written)} written")
    return EXIT_OK


def _jsonable(v):
    from .runtime import exact_text, json_int

    if isinstance(v, Fraction):
        return {"numerator": json_int(v.numerator), "denominator": json_int(v.denominator),
                "value": exact_text(v)}
    if isinstance(v, int) and not isinstance(v, bool):
        return json_int(v)
    if hasattr(v, "isoformat"):
        return v.isoformat()
    if isinstance(v, (list, tuple)):
        return [_jsonable(x) for x in v]
    if isinstance(v, dict):
        return {k: _jsonable(x) for k, x in v.items()}
    if hasattr(v, "__slots__") and hasattr(v, "_label"):
        return {n: _jsonable(getattr(v, n)) for n in v.__slots__}
    if hasattr(v, "value") and hasattr(v, "label"):
        return v.value
    return v


def _entries_text(reg) -> str:
    """What `feedsl eval FILE` can compute: each rule with the inputs it takes."""
    from .needed import only_text

    lines = [f"{reg.label}（{reg.name}）の規則と入力 / entries and their inputs:"]
    for name, rule in reg.rules.items():
        clause = f" [{rule.clause}]" if rule.clause else ""
        takes = [f"{pn}（{pi.label}）" for (pn, _), pi in zip(rule.params, rule.param_inputs)]
        for n in rule.inputs:
            i = reg.inputs[n]
            extra = "" if i.has_default or i.needed is None or n in rule.always else only_text(i)
            takes.append(f"{n}（{i.label}）{'' if not i.has_default else '［省略可］'}{extra}")
        lines.append(f"  {name} 「{rule.label}」{clause}: " + ("、".join(takes) if takes else "入力なし"))
    return "\n".join(lines)


def _entry_rule(reg, entry: str):
    """The rule ``entry`` names, or a UsageError listing the rules (with a guess)."""
    if entry not in reg.rules:
        import difflib

        sug = difflib.get_close_matches(entry, list(reg.rules), n=1)
        hint = f"（「{sug[0]}」のことですか？）" if sug else ""
        raise UsageError(f"規則「{entry}」はありません{hint}。規則: {', '.join(reg.rules)} / unknown entry {entry!r}")
    return reg.rules[entry]


def _load_in_force(path: Path, a, compile_error_exit: int):
    """The module of the version in force on ``--as-of`` (the latest without it),
    or None and the exit code after saying why: the file does not check, no
    version is in force on that date (exit 2), or ENTRY is not in force then (exit 2)."""
    from .api import load
    from .diagnostics import FeeCompileError
    from .runtime import FeeInputError

    try:
        mod = load(path, as_of=a.as_of)
    except FeeCompileError as e:
        _err(_render(e.diagnostics, "ja"))
        return None, compile_error_exit
    except FeeInputError as e:  # no version in force on --as-of, or a bad date
        _err(f"入力エラー: {e}")
        return None, EXIT_USAGE
    if a.entry in getattr(mod, "__feedsl_unavailable__", {}):
        _err(f"入力エラー: {mod.__feedsl_unavailable__[a.entry]}")
        return None, EXIT_USAGE
    return mod, EXIT_OK


def cmd_eval(a) -> int:
    from .api import load
    from .diagnostics import FeeCompileError
    from .runtime import FeeInputError

    path = Path(a.file)
    if not path.exists():
        raise UsageError(f"ファイルがありません: {path} / no such file: {path}")
    mod, status = _load_in_force(path, a, EXIT_FEE)
    if mod is None:
        return status
    reg = mod.__feedsl_ir__
    if a.entry is None:
        _out(_entries_text(reg))
        return EXIT_OK
    if a.entry not in reg.rules:
        import difflib

        sug = difflib.get_close_matches(a.entry, list(reg.rules), n=1)
        hint = f"（「{sug[0]}」のことですか？）" if sug else ""
        raise UsageError(f"規則「{a.entry}」はありません{hint}。規則: {', '.join(reg.rules)} / unknown entry {a.entry!r}")
    rule = reg.rules[a.entry]


    rule = _entry_rule(reg, a.entry)
    types = dict(rule.params)
    types.update({n: reg.inputs[n].type for n in rule.inputs})
    kwargs = {}
    if a.inputs:
        try:
            text = Path(a.inputs).read_text("utf-8")
        except (OSError, UnicodeDecodeError) as e:
            raise UsageError(f"--inputs {a.inputs}: 読めません（{e}） / cannot read inputs") from None
        data = _load_json(text, f"--inputs {a.inputs}")
        if not isinstance(data, dict):
            raise UsageError("--inputs の JSON はオブジェクト（{...}）にしてください / inputs JSON must be an object")
        kwargs.update({k: _coerce(v, types[k], k, reg) if k in types else v for k, v in data.items()})
    seen: set[str] = set()
    for item in a.values:
        if "=" not in item:
            raise UsageError(f"{_clip(item)!r}: name=value の形で書いてください / expected name=value")
        name, _, value = item.partition("=")
        name = name.strip()
        if name in seen:
            raise UsageError(f"入力「{name}」が二度書かれています / input {name!r} given twice")
        seen.add(name)
        if name not in types:
            from .needed import only_text

            # 必要 …: an input needed only sometimes says when (施設の種類が…のときのみ).
            shown = [n + (only_text(reg.inputs[n]) if n in reg.inputs and n not in rule.always else "")
                     for n in types]
            raise UsageError(f"規則「{a.entry}」に入力「{name}」はありません。入力: {', '.join(shown) or 'なし'} / unknown input {name!r}")
        kwargs[name] = _parse_value(value, types[name], name, reg)
    unknown = [k for k in kwargs if k not in types]
    if unknown:
        raise UsageError(f"規則「{a.entry}」に入力「{unknown[0]}」はありません / unknown input {unknown[0]!r}")
    if a.explain:
        # The breakdown traced to its clauses (the amount is the plain call's).
        try:
            explanation = mod.explain(a.entry, **kwargs)
        except FeeInputError as e:
            _err(f"入力エラー: {e}")
            return EXIT_USAGE
        if a.json:
            _out(json.dumps(explanation.to_dict(), ensure_ascii=False, indent=2))
        else:
            _out(str(explanation))
        return EXIT_OK
    try:
        amount = getattr(mod, a.entry)(**kwargs)
    except FeeInputError as e:
        _err(f"入力エラー: {e}")
        return EXIT_USAGE
    unit = str(rule.type)
    if a.json:
        _out(json.dumps({"regulation": reg.name, "entry": a.entry, "label": rule.label,
                         "clause": rule.clause, "inputs": _jsonable(kwargs),
                         "amount": _jsonable(amount), "unit": unit,
                         **({"version": mod.VERSION} if mod.VERSION else {})}, ensure_ascii=False, indent=2))
    else:
        from .api import _amount_text
        from .runtime import format_value

        from .codegen.explain import unit_of
        from .runtime import FISCAL_MONTH

        shown_unit = unit_of(rule.type, reg.fy_start)  # '%' for a rate, 年度の第10月（1月）
        if (isinstance(amount, (int, Fraction)) and not isinstance(amount, bool)
                and shown_unit != "%" and not shown_unit.startswith(FISCAL_MONTH)):
            shown = _amount_text(amount, unit)  # past 60 digits shortened: --json has every digit
        else:
            shown = format_value(amount, shown_unit)
        _out(f"{rule.label}{f' [{rule.clause}]' if rule.clause else ''}: {shown}")
    return EXIT_OK


def cmd_batch(a) -> int:
    """One entry over a roster: exit 0 when every row was computed, 1 when some
    were rejected (the rest still written), 2 for usage or unreadable files."""
    from . import batch, roster
    from .api import load
    from .diagnostics import FeeCompileError

    path = Path(a.file)
    if not path.exists():
        raise UsageError(f"ファイルがありません: {path} / no such file: {path}")
    out = Path(a.output)
    if out.suffix.lower() not in (".csv", ".xlsx"):
        raise UsageError(f"-o {out}: 出力は .csv か .xlsx にしてください / OUT must be .csv or .xlsx")
    if out.exists() and Path(a.roster).exists() and out.resolve() == Path(a.roster).resolve():
        raise UsageError(f"-o {out}: 名簿そのものには書き出せません / OUT is the roster itself")
    if not out.parent.is_dir():
        raise UsageError(f"-o {out}: 書き出し先のディレクトリがありません / no such directory: {out.parent}")
    try:
        "".encode(a.out_encoding)
    except LookupError:
        raise UsageError(f"--out-encoding {a.out_encoding}: 知らない文字コードです / unknown encoding") from None
    mod, status = _load_in_force(path, a, EXIT_USAGE)
    if mod is None:
        return status
    _entry_rule(mod.__feedsl_ir__, a.entry)
    if mod.VERSION:
        _out(f"版: {batch.version_text(mod.VERSION)}")
    started = time.perf_counter()
    mapping = roster.read_map(a.map) if a.map else None
    table = roster.read_table(a.roster, sheet=a.sheet, encoding=a.encoding)
    bar = None
    if not a.quiet and sys.stderr.isatty():
        from tqdm import tqdm

        bar = tqdm(total=len(table.rows), unit="行", file=sys.stderr, leave=False)
    evaluator = None
    if a.engine == "columns":
        if not batch.ColumnarEvaluator.applies(mod, a.entry, a.breakdown):
            raise UsageError("--engine columns は、記録・一覧の入力がなく --breakdown もないときに使えます（numpy が必要）"
                             " / --engine columns needs plain inputs, no --breakdown, and numpy")
        evaluator = batch.ColumnarEvaluator(mod, a.entry)
    try:
        res = batch.run(mod, a.entry, table, out, mapping=mapping, group_by=a.group_by,
                        record_column=a.record_column, breakdown=a.breakdown,
                        out_encoding=a.out_encoding, progress=bar.update if bar else None,
                        evaluator=evaluator, version_column=a.as_of is not None)
    except UnicodeEncodeError as e:
        raise UsageError(f"-o {out}: {a.out_encoding} で書けない文字があります（{e.object[e.start:e.end]!r}）。"
                         f"--out-encoding utf-8-sig にしてください / a character cannot be written in {a.out_encoding}") from None
    finally:
        if bar:
            bar.close()
    res.seconds = time.perf_counter() - started  # reading the roster included
    _out(batch.summary_text(res))
    if res.error_rows:
        if out.suffix.lower() == ".csv":
            where = out.with_name(out.name[:-4] + ".errors.csv")
            _err(f"エラーの行は {where} にあります / rejected rows are in {where}")
        else:
            _err(f"エラーの行は {out} のシート「{batch.ERROR_SHEET}」にあります / rejected rows are in the sheet "
                 f"{batch.ERROR_SHEET} of {out}")
    return EXIT_FEE if res.error_rows else EXIT_OK


def cmd_cache(a) -> int:
    from . import loader

    problem = loader.cache_problem()
    if a.path:
        _out(loader.cache_dir())
    else:
        n = loader.clear_cache()
        _out(f"{n} 件のファイルを削除しました: {loader.cache_dir()} / removed {n} file(s)")
    if problem:
        _err(f"feedsl: このキャッシュは使われていません: {problem[0]} / this cache is not used: {problem[1]}")
    return EXIT_OK


def batch_default_record_column() -> str:
    from .batch import RECORD_COLUMN

    return RECORD_COLUMN


def _compare_side(spec: str, as_of, which: str):
    """One side of ``feedsl compare``: FILE, or FILE@VERSION (a version of a
    file with versions), or FILE with --old-as-of/--new-as-of (the text in
    force on that date). UsageError for a missing file or both forms at once."""
    from .compare import Side

    path, version = spec, None
    if not Path(spec).exists() and "@" in spec:
        path, version = spec.rsplit("@", 1)
    if not Path(path).exists():
        raise UsageError(f"ファイルがありません: {path} / no such file: {path}")
    if version is not None and as_of is not None:
        raise UsageError(f"{spec}: @版 と --{which}-as-of は一緒に指定できません"
                         f" / give either {spec} or --{which}-as-of, not both")
    if version is not None and not version:
        raise UsageError(f"{spec}: @ の後に版の名前を書いてください / a version name after @")
    return Side(path, version, as_of)


def _seek_options(a):
    """--target-revenue ±N円 (an int) and --phase-in-limit 10% (a Fraction) or N円 (an int)."""
    from .values import ValueReadError, read_quantity

    if (a.target_revenue or a.phase_in_limit) and not a.roster:
        raise UsageError("--target-revenue と --phase-in-limit には --roster と --entry が要ります"
                         " / --target-revenue and --phase-in-limit need --roster and --entry")
    target = limit = None
    try:
        if a.target_revenue:
            target = read_quantity(a.target_revenue.strip().lstrip("±"), "円")
            if target < 0:
                raise ValueReadError("負の幅", "a negative tolerance", "number")
        if a.phase_in_limit:
            text = a.phase_in_limit.strip()
            limit = read_quantity(text, "", integral=False) if text.endswith("%") else read_quantity(text, "円")
            if limit < 0:
                raise ValueReadError("負の上限", "a negative limit", "number")
    except ValueReadError as e:
        raise UsageError(f"--target-revenue / --phase-in-limit: {e}") from None
    return target, limit


def cmd_compare(a) -> int:
    """OLD against NEW: exit 0 with the report written, 1 when a file does not
    check, 2 for usage errors (a missing file, a bad -o, an unknown entry, a
    version or date the file does not know)."""
    from . import compare, roster
    from .diagnostics import FeeCompileError
    from .runtime import FeeInputError

    if a.new is None and a.old_as_of is None and a.new_as_of is None:
        raise UsageError("比べる二つを指定してください: OLD NEW、FILE@版 FILE@版、または FILE --old-as-of 日付 --new-as-of 日付"
                         " / give OLD NEW, FILE@V1 FILE@V2, or FILE --old-as-of D1 --new-as-of D2")
    sides = [_compare_side(a.old, a.old_as_of, "old"), _compare_side(a.new or a.old, a.new_as_of, "new")]
    out = Path(a.output)
    if out.suffix.lower() not in (".html", ".xlsx"):
        raise UsageError(f"-o {out}: 出力は .html か .xlsx にしてください / OUT must be .html or .xlsx")
    if not out.parent.is_dir():
        raise UsageError(f"-o {out}: 書き出し先のディレクトリがありません / no such directory: {out.parent}")
    if bool(a.roster) != bool(a.entry):
        raise UsageError("--roster と --entry は一緒に指定してください / give --roster with --entry")
    target, limit = _seek_options(a)
    try:
        mods = [side.load() for side in sides]
    except FeeCompileError as e:
        _err(_render(e.diagnostics, "ja"))
        return EXIT_FEE
    except FeeInputError as e:  # a version the file does not declare, a date before its versions
        raise UsageError(str(e)) from None
    table = mapping = None
    if a.roster:
        for m in mods:
            _entry_rule(m.__feedsl_ir__, a.entry)
        mapping = roster.read_map(a.map) if a.map else None
        table = roster.read_table(a.roster, sheet=a.sheet, encoding=a.encoding)
    ctx = compare.report_context(sides[0], sides[1], table, a.entry, mapping, target, limit)
    if out.suffix.lower() == ".xlsx":
        compare.write_workbook(ctx, out)
    else:
        out.write_text(compare.render_report(ctx), encoding="utf-8")
    _out(compare.summary_text(ctx))
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="feedsl", description="feedsl: 会費規程をコードに / fee regulations as code")
    from . import __version__

    p.add_argument("--version", action="version", version=f"feedsl {__version__}")
    sub = p.add_subparsers(dest="command", required=True)

    c = sub.add_parser("check", help="検査する / check .fee files")
    c.add_argument("files", nargs="*", help=".fee files or directories (default: regulations/)")
    c.add_argument("--format", choices=["text", "json"], default="text")
    c.add_argument("--lang", choices=["ja", "en"], default="ja")
    c.set_defaults(func=cmd_check)

    c = sub.add_parser("compile", help="Python に変換する / compile to Python modules")
    c.add_argument("files", nargs="*")
    c.add_argument("-o", "--output", required=True, help="output directory")
    c.add_argument("--js", action="store_true",
                   help="JavaScript（ページの計算機用）を書く / write <name>.js scripts instead of Python modules")
    c.add_argument("--lang", choices=["ja", "en"], default="ja")
    c.set_defaults(func=cmd_compile)

    c = sub.add_parser("test", help="例を実行する / run the examples in .fee files")
    c.add_argument("files", nargs="*")
    c.add_argument("-v", "--verbose", action="store_true")
    c.set_defaults(func=cmd_test)

    c = sub.add_parser("docs", help="料金表と説明のページを作る / generate HTML and Markdown pages")
    c.add_argument("files", nargs="*", help=".fee files or directories (default: regulations/)")
    c.add_argument("-o", "--output", default="docs", help="output directory (default: docs)")
    c.add_argument("--templates", help="a directory of templates used before the built-in ones")
    mode = c.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="exit 1 naming the pages that are out of date")
    mode.add_argument("--watch", action="store_true", help="rebuild a file's pages whenever it changes")
    c.set_defaults(func=cmd_docs)

    c = sub.add_parser(
        "eval", help="会費を計算する / compute one fee",
        description="会費を計算する。数の入力は何桁でも正確に計算する（Python から呼ぶのと同じ）。"
                    "60桁を超える数は先頭と末尾と桁数で示し（1,000,000,000…（全61桁）…000,000,000）、"
                    "--json はすべての桁を出す（4,300桁を超える整数は文字列で）。"
                    " / Compute one fee. Numbers of any length are computed exactly, as from Python;"
                    " the text output shortens a number past 60 digits to its first and last digits"
                    " and digit count, --json gives every digit (an integer past 4,300 digits as a"
                    " string, which JSON readers can take).")
    c.add_argument("file")
    c.add_argument("entry", nargs="?", help="規則の名前（省略すると規則と入力の一覧） / the rule (omit it to list rules and inputs)")
    c.add_argument("values", nargs="*", metavar="name=value")
    c.add_argument("--inputs", help="JSON file of inputs (records and lists welcome)")
    c.add_argument("--as-of", metavar="DATE", help="この日に施行されている版で計算する / the version in force on DATE (default: the latest)")
    c.add_argument("--json", action="store_true")
    c.add_argument("--explain", action="store_true",
                   help="内訳を条項付きで示す / show the breakdown, clause by clause (with --json: as JSON)")
    c.set_defaults(func=cmd_eval)

    c = sub.add_parser("batch", help="名簿の全員の会費を計算する / compute an entry over a roster (.csv/.xlsx)")
    c.add_argument("file", metavar="REG", help="the .fee file")
    c.add_argument("entry", metavar="ENTRY", help="the rule to compute (municipal_fee)")
    c.add_argument("roster", metavar="ROSTER", help="the roster: .csv (UTF-8 or cp932) or .xlsx")
    c.add_argument("-o", "--output", required=True, metavar="OUT", help="OUT.csv (errors to OUT.errors.csv) or OUT.xlsx")
    c.add_argument("--sheet", help="the roster's sheet (default: the first)")
    c.add_argument("--encoding", help="the roster CSV's encoding (default: detected; utf-8, utf-8-sig or cp932)")
    c.add_argument("--out-encoding", default="utf-8-sig",
                   help="OUT.csv's encoding (default utf-8-sig: UTF-8 with BOM, which Excel opens; or cp932)")
    c.add_argument("--map", metavar="MAP.toml", help='columns for inputs: population = "人口（R6.1.1）"')
    c.add_argument("--group-by", metavar="COLUMN", help="rows with one value here are one member (its records)")
    c.add_argument("--record-column", metavar="COLUMN",
                   help=f"the column naming the record parameter a row fills (default {batch_default_record_column()})")
    c.add_argument("--breakdown", action="store_true", help="a column per rule the entry adds up (世帯割, 均等割)")
    c.add_argument("--engine", choices=("scalar", "columns"), default="scalar",
                   help="scalar: member by member (default; fastest on a roster read cell by cell); "
                        "columns: the columnar entry m.columns in its error-collecting mode")
    c.add_argument("--quiet", action="store_true", help="no progress bar")
    c.add_argument("--as-of", metavar="DATE", help="この日に施行されている版で計算する / the version in force on DATE (default: the latest)")
    c.set_defaults(func=cmd_batch)

    c = sub.add_parser("cache", help="コンパイル済みモジュールのキャッシュ / the cache of compiled modules")
    what = c.add_mutually_exclusive_group(required=True)
    what.add_argument("--path", action="store_true", help="キャッシュのディレクトリを表示 / print its directory")
    what.add_argument("--clear", action="store_true", help="feedsl の項目を削除 / remove feedsl's entries")
    c.set_defaults(func=cmd_cache)

    c = sub.add_parser(
        "compare", help="新旧対照表と改正の影響 / compare two .fee files or two versions of one: 新旧対照表, change regions, roster impact",
        description="OLD と NEW を比べます。OLD・NEW は .fee ファイルか、版のあるファイルの一つの版 FILE@版（その版そのものの本文）。"
                    "一つのファイルの二つの日付の本文（経過措置を含む）は FILE --old-as-of 日付 --new-as-of 日付。"
                    " / OLD and NEW are .fee files or FILE@VERSION (that version's own text); "
                    "FILE --old-as-of D1 --new-as-of D2 compares the texts in force on two dates.",
        epilog="例: feedsl compare hokkaido_shakyo.fee@levy2001 hokkaido_shakyo.fee@fee2018 -o report.html")
    c.add_argument("old", metavar="OLD", help="改正前の .fee、または FILE@版")
    c.add_argument("new", metavar="NEW", nargs="?",
                   help="改正後の .fee（改正案）、または FILE@版（--old-as-of/--new-as-of では省略すると OLD と同じファイル）")
    c.add_argument("--old-as-of", metavar="DATE", help="OLD の、この日に施行されている本文 / OLD's text in force on DATE")
    c.add_argument("--new-as-of", metavar="DATE", help="NEW の、この日に施行されている本文 / NEW's text in force on DATE")
    c.add_argument("-o", "--output", required=True, metavar="REPORT",
                   help="REPORT.html (for the board: A4, phone) or REPORT.xlsx (対照表, 会員別, 集計)")
    c.add_argument("--roster", help="名簿 .csv/.xlsx: the impact on every member (with --entry)")
    c.add_argument("--entry", metavar="ENTRY", help="the rule the roster is computed with (municipal_fee)")
    c.add_argument("--sheet", help="the roster's sheet (default: the first)")
    c.add_argument("--encoding", help="the roster CSV's encoding (default: detected)")
    c.add_argument("--map", metavar="MAP.toml", help='columns for inputs: population = "人口（R6.1.1）"')
    c.add_argument("--target-revenue", metavar="±N円",
                   help="目標収入: 改正した各金額のうち、名簿の収入を今と ±N円 に保つ値 / the value of each amount "
                        "the draft changes that keeps the roster's revenue within ±N円 of today")
    c.add_argument("--phase-in-limit", metavar="10%|N円",
                   help="激変緩和: 増額がこの率（または額）を超える会員 / members whose increase exceeds this")
    c.set_defaults(func=cmd_compare)
    return p


def main(argv=None) -> int:
    parser = build_parser()
    try:
        a = parser.parse_args(argv)
    except SystemExit as e:  # argparse already printed the usage message
        return EXIT_USAGE if e.code not in (0, None) else EXIT_OK
    try:
        return a.func(a)
    except InputValueError as e:
        _err(f"入力エラー: {e}")
        return EXIT_USAGE
    except UsageError as e:
        _err(f"feedsl: {e}")
        return EXIT_USAGE
    except OSError as e:  # an output directory that cannot be written, a vanished file
        where = f": {e.filename}" if getattr(e, "filename", None) else ""
        _err(f"feedsl: 書き込み・読み込みができません{where}（{e.strerror or e}） / cannot read or write{where}")
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
