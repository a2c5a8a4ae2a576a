"""``feedsl batch``: one entry of a regulation over a whole roster.

Each member's inputs come from a row of the roster (or, with ``group_by``, from
a group of rows, one per record); an evaluator computes the fees; the rows go
to the result with their fee, or to the errors with the input and the message.
Nothing is lost: every row of the roster is in exactly one of the two.

The evaluator is an interface (:class:`ScalarEvaluator` computes member by
member with the compiled entry): it receives the members' inputs in chunks and
returns, per member, the amount or the FeeInputError, so a columnar evaluator
that returns results with a per-row error mask can take its place.

Output is written to a temporary file beside OUT and renamed onto it
(os.replace) only when complete: a failed or interrupted run leaves no half
file.
"""

from __future__ import annotations

import csv
import datetime
import os
import tempfile
import time
from fractions import Fraction
from pathlib import Path

from .roster import NOT_GIVEN, RosterError, Table, Target, cell_reader, find_columns, header_key
from .typed import UsageError

CHUNK = 2048
"""Members handed to the evaluator at once."""

RECORD_COLUMN = "記録"
"""The default header of the column saying which record parameter a row fills."""

RESULT_SHEET, ERROR_SHEET, SUMMARY_SHEET = "会費", "エラー", "集計"

XLSX_ROWS = 1_048_576
"""Rows of an Excel sheet, the header included: a longer roster would lose rows."""


def ja(message: str) -> str:
    """The Japanese half of a 'ja / en' message."""
    return message.partition(" / ")[0]


class RowError:
    """Why a member was rejected: the input (its name and label) and the message."""

    __slots__ = ("input", "message")

    def __init__(self, input: str, message: str):
        self.input = input
        self.message = message


# --- evaluators --------------------------------------------------------------

class ScalarEvaluator:
    """Member by member with the compiled scalar entry.

    ``evaluate(calls)`` takes a list of keyword dicts and returns one
    ``(amount, breakdown, error)`` per call: ``breakdown`` a dict rule → amount
    (only when ``breakdown`` rules were asked for), ``error`` a FeeInputError or
    None. A columnar evaluator offers the same method."""

    def __init__(self, module, entry: str, breakdown: tuple = ()):
        self.module = module
        self.entry = entry
        self.function = getattr(module, entry)
        self.breakdown = frozenset(breakdown)

    def evaluate(self, calls: list) -> list:
        from .runtime import FeeInputError

        fn, out = self.function, []
        append = out.append
        for kw in calls:
            try:
                amount = fn(**kw)
            except FeeInputError as e:
                append((None, None, e))
                continue
            append((amount, self._parts(kw) if self.breakdown else None, None))
        return out

    def _parts(self, kw) -> dict:
        """The amounts of the breakdown rules on the path the entry took (a rule
        the entry did not use, such as a cap not applied, is left out)."""
        parts: dict = {}
        for node in self.module.explain(self.entry, **kw).root.walk():
            if node.name in self.breakdown and node.index is None and node.name not in parts:
                parts[node.name] = node.value
        return parts


class ColumnarEvaluator:
    """A chunk of members at once with the columnar entry (``m.columns``) in its
    error-collecting mode: the same fees and the same per-row FeeInputErrors as
    :class:`ScalarEvaluator`, computed column by column (numpy). Only for entries
    whose inputs are plain values (no records or lists) and without breakdown."""

    def __init__(self, module, entry: str):
        rule = module.__feedsl_ir__.rules[entry]
        self.names = tuple(n for n, _ in rule.params) + tuple(rule.inputs)
        self.labels = {n: module.__feedsl_ir__.inputs[n].label for n in rule.inputs
                       if n in module.__feedsl_ir__.inputs}
        self.function = getattr(module.columns, entry)
        self.scalar = getattr(module, entry)

    @staticmethod
    def applies(module, entry: str, breakdown: bool) -> bool:
        """Whether the columnar path can compute ``entry`` (numpy installed, plain inputs)."""
        from . import ir

        if breakdown:
            return False
        try:
            import numpy  # noqa: F401
        except ImportError:
            return False
        reg = module.__feedsl_ir__
        rule = reg.rules[entry]
        types = [t for _, t in rule.params] + [reg.inputs[n].type for n in rule.inputs]
        return not any(isinstance(t, (ir.RecordType, ir.ListType)) for t in types)

    def evaluate(self, calls: list) -> list:
        from .runtime import FeeInputError

        if not calls:
            return []
        # A member's missing cell is None in its column: not given (default, 必要).
        columns = {n: [kw.get(n) for kw in calls] for n in self.names}
        r = self.function(**columns, _rows=len(calls), _errors="collect")
        out = []
        for kw, value, bad, message, name in zip(calls, r.values.tolist(), r.error.tolist(), r.messages, r.inputs):
            if bad:
                # A rejected row (rare) is run once more on the scalar entry for its
                # message, which shows the values given and the 前提's own words.
                try:
                    self.scalar(**kw)
                    error = FeeInputError(message, name or "", self.labels.get(name or "", ""))
                except FeeInputError as e:
                    error = e
                out.append((None, None, error))
            else:
                out.append((value, None, None))
        return out


def breakdown_rules(reg, entry: str) -> list[str]:
    """The named rules the entry's own formula calls (世帯割, 均等割 …), in order."""
    import attrs

    from . import ir

    found: list[str] = []
    stack = [reg.rules[entry].expr]
    while stack:
        node = stack.pop()
        if isinstance(node, (tuple, list)):
            stack.extend(reversed(node))
        elif attrs.has(type(node)):
            if isinstance(node, ir.RuleRef) and node.name not in found and node.name != entry:
                found.append(node.name)
            stack.extend(reversed([getattr(node, f.name) for f in attrs.fields(type(node))
                                   if f.name not in ("type", "span")]))
    return [n for n in found if isinstance(reg.rules[n].type, ir.QType)]


# --- the layout: which columns fill which inputs -------------------------------

class Layout:
    """How the roster's columns become an entry's keyword arguments."""

    def __init__(self, reg, entry: str, table: Table, mapping: dict | None,
                 group_by: str | None, record_column: str | None):
        from .ir import ListType, RecordType

        rule = reg.rules[entry]
        headers = table.headers
        self.entry = entry
        flat: list[Target] = []
        self.records: dict[str, tuple[bool, str]] = {}  # param → (is a list, record name)
        for (name, typ), info in zip(rule.params, rule.param_inputs or [None] * len(rule.params)):
            if isinstance(typ, RecordType):
                self.records[name] = (False, typ.name)
            elif isinstance(typ, ListType) and isinstance(typ.element, RecordType):
                self.records[name] = (True, typ.element.name)
            else:
                flat.append(Target(name, info.label if info else "", typ, True))
        for name in rule.inputs:
            inp = reg.inputs[name]
            flat.append(Target(name, inp.label, inp.type,
                               not inp.has_default and (inp.needed is None or name in rule.always)))
        self.param_labels = {name: (info.label if info else "") for (name, _), info
                             in zip(rule.params, rule.param_inputs or [None] * len(rule.params))}
        cols = find_columns(headers, flat, mapping)
        self.flat = [(t.name, cols[t.name], cell_reader(t.type, t.name, reg), t.describe())
                     for t in flat if t.name in cols]
        self.enums = [(t.name, t.label, reg.enums[t.type.name].values) for t in flat
                      if t.name in cols and getattr(t.type, "name", None) in reg.enums]
        self.fields: dict[str, list] = {}
        for param, (_, rname) in self.records.items():
            targets = [Target(f.name, f.label, f.type, not f.has_default and f.needed is None)
                       for f in reg.records[rname].fields]
            where = f"（{self.param_labels[param] or param} の{reg.records[rname].label}の項目）"
            fcols = find_columns(headers, targets, mapping, where)
            self.fields[param] = [(t.name, fcols[t.name], cell_reader(t.type, f"{param}.{t.name}", reg),
                                   f"{param}.{t.describe()}") for t in targets if t.name in fcols]
        self.group_col = None
        if group_by:
            self.group_col = _column(headers, group_by, "--group-by")
            self.group_header = headers[self.group_col]
        elif any(is_list for is_list, _ in self.records.values()):
            raise RosterError(f"規則「{entry}」は記録の一覧を受け取ります。会員ごとの行をまとめる列を --group-by で"
                              f"指定してください（例: --group-by 会員番号） / {entry} takes a list of records: give --group-by")
        self.role_col = None
        if len(self.records) > 1:
            self.role_col = _column(headers, record_column or RECORD_COLUMN, "--record-column")
        elif record_column:
            self.role_col = _column(headers, record_column, "--record-column")
        self.roles = {}
        for param in self.records:
            self.roles[header_key(param)] = param
            if self.param_labels[param]:
                self.roles[header_key(self.param_labels[param])] = param

    def members(self, rows):
        """The roster's rows grouped into members: lists of (row number, cells)."""
        if self.group_col is None:
            return [[r] for r in rows]
        groups: dict = {}
        blank = []
        col = self.group_col
        for r in rows:
            key = _key(r[1][col])
            if key == "":
                blank.append([r])  # a row with no member key is a member of its own (rejected below)
            else:
                groups.setdefault(key, []).append(r)
        return list(groups.values()) + blank

    def call(self, member) -> dict:
        """The keyword arguments of one member; raises _Reject."""
        first = member[0][1]
        if self.group_col is not None and _key(first[self.group_col]) == "":
            raise _Reject(RowError(self.group_header, f"{self.group_header}が空です（--group-by の列）"))
        if len(member) > 1 and not self.records:
            # Without records a member is one row: a repeated key is a duplicate, not a part.
            raise _Reject(RowError(self.group_header, f"{self.group_header}「{first[self.group_col]}」の行が"
                                                      f"{len(member)}行あります（この規則では1会員1行）"))
        kw = {}
        for name, col, read, desc in self.flat:
            v = _read(read, first[col], name, desc)
            if v is not NOT_GIVEN:
                kw[name] = v
        if not self.records:
            return kw
        for param, (is_list, _) in self.records.items():
            if is_list:
                kw[param] = []
        for _, cells in member:
            param = self._role(cells)
            record = {}
            for fname, col, read, desc in self.fields[param]:
                v = _read(read, cells[col], f"{param}.{fname}", desc)
                if v is not NOT_GIVEN:
                    record[fname] = v
            if self.records[param][0]:
                kw[param].append(record)
            elif param in kw:
                raise _Reject(RowError(self._describe(param), f"{self._describe(param)} の行が2行以上あります（1会員に1行）"))
            else:
                kw[param] = record
        for param, (is_list, _) in self.records.items():
            if not is_list and param not in kw:
                raise _Reject(RowError(self._describe(param), f"{self._describe(param)} の行がありません"))
        return kw

    def _describe(self, param: str) -> str:
        label = self.param_labels.get(param)
        return f"{param}（{label}）" if label else param

    def _role(self, cells) -> str:
        if self.role_col is None:
            return next(iter(self.records))
        text = cells[self.role_col]
        param = self.roles.get(header_key(str(text))) if text != "" else None
        if param is None:
            choices = "、".join(self._describe(p) for p in self.records)
            raise _Reject(RowError("記録", f"記録の列の「{text}」は使えません。使える値: {choices}"))
        return param


class _Reject(Exception):
    def __init__(self, error: RowError):
        self.error = error


def _read(read, raw, name, desc):
    try:
        return read(raw)
    except UsageError as e:
        raise _Reject(RowError(desc, ja(str(e)).removeprefix(f"{name}="))) from None


def _key(cell) -> str:
    if cell.__class__ is float and cell.is_integer():
        return str(int(cell))
    return header_key(str(cell)) if cell is not None else ""


def _column(headers, name: str, option: str) -> int:
    for i, h in enumerate(headers):
        if header_key(h) == header_key(name):
            return i
    raise RosterError(f"{option} {name}: 名簿にこの見出しの列がありません。見出し: {'、'.join(h for h in headers if h)}"
                      f" / no column {name!r}")


# --- output ------------------------------------------------------------------

def _plain(cell):
    """A carried cell for CSV: Excel's 12340.0 as 12340, a date as 2024-10-01."""
    if cell.__class__ is float and cell.is_integer():
        return int(cell)
    if isinstance(cell, (datetime.date, datetime.datetime)):
        return cell.isoformat()
    return cell


def _amount(value):
    from .runtime import exact_text, format_value

    if value is None:
        return ""
    if isinstance(value, Fraction):
        return exact_text(value)
    if isinstance(value, int) or isinstance(value, str):
        return value
    return format_value(value)


class _Atomic:
    """A temporary file beside ``target``, renamed onto it by commit()."""

    def __init__(self, target: Path):
        self.target = target
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part" + target.suffix,
                                    dir=target.parent)
        os.close(fd)
        self.temp = Path(name)
        umask = os.umask(0)  # mkstemp makes the file private; the output gets the usual mode
        os.umask(umask)
        os.chmod(self.temp, 0o666 & ~umask)

    def commit(self):
        os.replace(self.temp, self.target)

    def discard(self):
        try:
            self.temp.unlink()
        except FileNotFoundError:
            pass


class CsvSink:
    def __init__(self, out: Path, headers, error_headers, encoding: str):
        self.files = [_Atomic(out), _Atomic(out.with_name(out.name[:-4] + ".errors.csv"))]
        self.streams = [open(f.temp, "w", encoding=encoding, newline="") for f in self.files]
        self.result, self.errors = (csv.writer(s) for s in self.streams)
        self.result.writerow(headers)
        self.errors.writerow(error_headers)
        self.n_errors = 0

    def row(self, cells, amount, parts):
        self.result.writerow([*map(_plain, cells), _amount(amount), *map(_amount, parts)])

    def error(self, number, cells, error: RowError):
        self.n_errors += 1
        self.errors.writerow([number, *map(_plain, cells), error.input, error.message])

    def summary(self, lines):
        pass

    def commit(self):
        for s in self.streams:
            s.close()
        self.files[0].commit()
        if self.n_errors:
            self.files[1].commit()
        else:  # no errors this time: an errors file of an earlier run would mislead
            self.files[1].discard()
            try:
                self.files[1].target.unlink()
            except FileNotFoundError:
                pass

    def discard(self):
        for s, f in zip(self.streams, self.files):
            s.close()
            f.discard()


class XlsxSink:
    YEN = '#,##0"円"'

    def __init__(self, out: Path, headers, error_headers, n_amounts: int):
        try:
            import xlsxwriter
        except ImportError:
            raise RosterError("Excel に書き出すには excel の追加機能が要ります: pip install 'feedsl[excel]'"
                              " / writing .xlsx needs the excel extra: pip install 'feedsl[excel]'") from None
        self.file = _Atomic(out)
        self.book = xlsxwriter.Workbook(str(self.file.temp), {
            "constant_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
            "strings_to_numbers": False, "tmpdir": str(out.parent)})
        self.yen = self.book.add_format({"num_format": self.YEN})
        self.date = self.book.add_format({"num_format": "yyyy-mm-dd"})
        self.bold = self.book.add_format({"bold": True})
        self.sheet = self._sheet(RESULT_SHEET, headers)
        self.sheet.set_column(len(headers) - n_amounts, len(headers) - 1, 16)
        self.err_sheet = self._sheet(ERROR_SHEET, error_headers)
        self.err_sheet.set_column(len(error_headers) - 1, len(error_headers) - 1, 80)
        self.n, self.n_err = 0, 0
        self.width, self.err_width = len(headers), len(error_headers)

    def _sheet(self, name, headers):
        ws = self.book.add_worksheet(name)
        ws.freeze_panes(1, 0)
        for j, h in enumerate(headers):
            ws.write_string(0, j, str(h), self.bold)
        return ws

    def _cell(self, ws, i, j, v):
        cls = v.__class__
        if cls is str:
            if v:
                ws.write_string(i, j, v)
        elif cls is bool:
            ws.write_boolean(i, j, v)
        elif cls is int or cls is float:
            if abs(v) < 2 ** 53:
                ws.write_number(i, j, v)
            else:  # past a double's exact range: the digits as text
                ws.write_string(i, j, str(v))
        elif cls is datetime.date or cls is datetime.datetime:
            ws.write_datetime(i, j, v, self.date)
        elif v is not None:
            ws.write_string(i, j, str(v))

    def _amount(self, ws, i, j, v):
        if v.__class__ is int and abs(v) < 2 ** 53:
            ws.write_number(i, j, v, self.yen)
        elif v is not None:
            ws.write_string(i, j, str(_amount(v)))

    def row(self, cells, amount, parts):
        self.n += 1
        ws, i = self.sheet, self.n
        for j, v in enumerate(cells):
            self._cell(ws, i, j, v)
        j = len(cells)
        self._amount(ws, i, j, amount)
        for k, v in enumerate(parts, j + 1):
            self._amount(ws, i, k, v)

    def error(self, number, cells, error: RowError):
        self.n_err += 1
        ws, i = self.err_sheet, self.n_err
        ws.write_number(i, 0, number)
        for j, v in enumerate(cells, 1):
            self._cell(ws, i, j, v)
        j = len(cells) + 1
        ws.write_string(i, j, error.input)
        ws.write_string(i, j + 1, error.message)

    def summary(self, lines):
        ws = self.book.add_worksheet(SUMMARY_SHEET)
        ws.set_column(0, 0, 28)
        ws.set_column(1, 2, 16)
        for i, line in enumerate(lines):
            heading = all(isinstance(v, str) for v in line)
            for j, v in enumerate(line):
                if heading:
                    ws.write_string(i, j, v, self.bold)
                elif j == 2:
                    self._amount(ws, i, j, v)
                else:
                    self._cell(ws, i, j, v)

    def commit(self):
        self.sheet.autofilter(0, 0, max(self.n, 1), self.width - 1)
        self.err_sheet.autofilter(0, 0, max(self.n_err, 1), self.err_width - 1)
        self.book.close()
        self.file.commit()

    def discard(self):
        try:
            self.book.close()
        except Exception:  # a half-written book is thrown away anyway
            pass
        self.file.discard()


# --- the run -----------------------------------------------------------------

class Result:
    def __init__(self):
        self.rows = 0
        self.members = 0
        self.error_rows = 0
        self.error_members = 0
        self.total = 0
        self.by_enum: dict = {}
        self.seconds = 0.0


def run(module, entry: str, table: Table, out: Path, *, mapping=None, group_by=None,
        record_column=None, breakdown=False, out_encoding="utf-8-sig", progress=None,
        evaluator=None, version_column=False) -> Result:
    """Compute ``entry`` for every member of ``table`` and write OUT (.csv or
    .xlsx). ``progress(n)`` is called with the number of rows done. The
    version (版) of a versioned module is in the 集計 sheet and, with
    ``version_column`` (batch --as-of), in a last column 版 of every row."""
    started = time.perf_counter()
    reg = module.__feedsl_ir__
    rule = reg.rules[entry]
    layout = Layout(reg, entry, table, mapping, group_by, record_column)
    parts = breakdown_rules(reg, entry) if breakdown else []
    # The scalar entry is the default: on a roster read cell by cell it is faster than
    # turning each chunk into columns (100k rows: 0.15 s against 0.65 s of evaluation,
    # reading and writing ~5 s either way); ColumnarEvaluator is --engine columns.
    evaluator = evaluator or ScalarEvaluator(module, entry, tuple(parts))
    headers = list(table.headers)
    width = max([len(headers)] + [len(c) for _, c in table.rows])
    headers += [""] * (width - len(headers))
    result_headers = headers + [rule.label] + [reg.rules[p].label for p in parts]
    version = version_text(getattr(module, "VERSION", None))
    if version_column and version:
        result_headers.append("版")
        parts_shown = len(parts) + 1
    else:
        parts_shown = len(parts)
    error_headers = ["行"] + headers + ["入力", "エラー"]
    suffix = out.suffix.lower()
    if suffix == ".csv":
        sink = CsvSink(out, result_headers, error_headers, out_encoding)
    elif suffix == ".xlsx":
        if len(table.rows) >= XLSX_ROWS:
            raise RosterError(f"{out}: Excel のシートは {XLSX_ROWS - 1:,} 行までです（名簿は {len(table.rows):,} 行）。"
                              f"出力を .csv にしてください / too many rows for a sheet: write a .csv")
        sink = XlsxSink(out, result_headers, error_headers, 1 + parts_shown)
    else:
        raise RosterError(f"{out}: 出力は .csv か .xlsx にしてください / OUT must be .csv or .xlsx")
    res = Result()
    res.by_enum = {name: {} for name, _, _ in layout.enums}
    try:
        members = layout.members(table.rows)
        for start in range(0, len(members), CHUNK):
            chunk = members[start:start + CHUNK]
            calls, rejected = [], []
            for m in chunk:
                try:
                    calls.append(layout.call(m))
                    rejected.append(None)
                except _Reject as r:
                    rejected.append(r.error)
            outcomes = iter(evaluator.evaluate(calls))
            done = 0
            for m, error in zip(chunk, rejected):
                done += len(m)
                if error is None:
                    amount, bd, fee_error = next(outcomes)
                    if fee_error is not None:
                        error = RowError(_input_of(fee_error), ja(str(fee_error)))
                if error is not None:
                    res.error_members += 1
                    for number, cells in m:
                        res.error_rows += 1
                        sink.error(number, _widen(cells, width), error)
                    continue
                res.members += 1
                bd = [(bd or {}).get(p) for p in parts] + [version] * (parts_shown - len(parts))
                for k, (number, cells) in enumerate(m):
                    if k == 0:
                        sink.row(_widen(cells, width), amount, bd)
                    else:
                        sink.row(_widen(cells, width), None, [None] * len(parts) + bd[len(parts):])
                if isinstance(amount, (int, Fraction)) and not isinstance(amount, bool):
                    res.total += amount
                    _tally(res, layout, m[0][1], amount)
            res.rows += done
            if progress:
                progress(done)
        res.seconds = time.perf_counter() - started
        sink.summary(summary_lines(res, layout, rule, version))
        sink.commit()
    except BaseException:
        sink.discard()
        raise
    res.seconds = time.perf_counter() - started
    return res


def _widen(cells, width):
    return cells if len(cells) >= width else list(cells) + [""] * (width - len(cells))


def _input_of(e) -> str:
    return f"{e.input}（{e.label}）" if e.label else e.input


def _tally(res: Result, layout: Layout, cells, amount):
    for name, _, _ in layout.enums:
        col, read = next((c, r) for n, c, r, _ in layout.flat if n == name)
        try:
            value = read(cells[col])
        except UsageError:
            continue
        slot = res.by_enum[name].setdefault(value, [0, 0])
        slot[0] += 1
        slot[1] += amount


def version_text(version: dict | None) -> str:
    """The 版 a result was computed with (feedsl.versions.version_text)."""
    from .versions import version_text as text

    return text(version)


def summary_lines(res: Result, layout: Layout, rule, version: str = "") -> list:
    lines = [
        [rule.label],
        *([["版", version]] if version else []),
        ["会員数（計算済み）", res.members],
        ["行数", res.rows],
        ["エラーの行数", res.error_rows],
        ["合計（円）", "", res.total],
    ]
    for name, label, values in layout.enums:
        lines.append([])
        lines.append([f"{label or name}別", "会員数", "金額"])
        counts = res.by_enum[name]
        for ident, vlabel in values:
            n, total = counts.get(ident, (0, 0))
            lines.append([vlabel, n, total])
    return lines


def summary_text(res: Result) -> str:
    from .runtime import format_number

    return (f"{res.rows:,} 行（会員 {res.members + res.error_members:,}）: 計算 {res.members:,} 会員、"
            f"エラー {res.error_rows:,} 行、合計 {format_number(res.total)}円、{res.seconds:.1f} 秒"
            f" / {res.rows} rows, {res.error_rows} rejected, total {res.total} yen, {res.seconds:.1f} s")
