// feedsl runtime for the JavaScript back end (feedsl/codegen/javascript.py).
//
// The JavaScript twin of feedsl/runtime.py and feedsl/values.py: exact
// arithmetic (whole numbers as BigInt, fractions as BigInt numerator and
// denominator, never a float), half-up rounding, money formatting, the input
// checks with the same Japanese messages as the Python modules, and the
// readers of typed text (12,340 / 2.5万人 / 75% / 令和6年10月1日 / はい).
//
// Loaded once per page: it installs globalThis.feedsl.runtime, and a second
// copy (two regulations on one page) leaves the first one in place.
(function () {
  "use strict";
  const root = (globalThis.feedsl = globalThis.feedsl || {});
  if (root.runtime) return;

  // --- errors ----------------------------------------------------------------

  class FeeInputError extends Error {
    constructor(message, input, label, inputs) {
      super(message);
      this.name = "FeeInputError";
      this.input = input || "";
      this.label = label || "";
      this.inputs = inputs && inputs.length ? inputs.slice() : (this.input ? [this.input] : []);
    }
  }

  // Text that is no value of the kind asked for (feedsl.values.ValueReadError).
  class ValueReadError extends Error {
    constructor(ja, en, kind) {
      super(ja + " / " + en);
      this.ja = ja;
      this.en = en;
      this.kind = kind || "";
    }
  }

  // --- exact numbers ---------------------------------------------------------
  // A number is a BigInt when whole, else a Frac (d > 1, in lowest terms).

  class Frac {
    constructor(n, d) {
      this.n = n;
      this.d = d;
    }
    toString() {
      return this.n.toString() + "/" + this.d.toString();
    }
  }

  const abs = (a) => (a < 0n ? -a : a);
  function gcd(a, b) {
    a = abs(a);
    b = abs(b);
    while (b) [a, b] = [b, a % b];
    return a;
  }
  function Q(n, d) {
    if (d === 1n) return n;
    if (d < 0n) {
      n = -n;
      d = -d;
    }
    const g = gcd(n, d);
    if (g !== 1n) {
      n /= g;
      d /= g;
    }
    return d === 1n ? n : new Frac(n, d);
  }
  const num = (x) => (typeof x === "bigint" ? x : x.n);
  const den = (x) => (typeof x === "bigint" ? 1n : x.d);
  const isNum = (x) => typeof x === "bigint" || x instanceof Frac;

  function add(a, b) {
    if (typeof a === "bigint" && typeof b === "bigint") return a + b;
    return Q(num(a) * den(b) + num(b) * den(a), den(a) * den(b));
  }
  function sub(a, b) {
    if (typeof a === "bigint" && typeof b === "bigint") return a - b;
    return Q(num(a) * den(b) - num(b) * den(a), den(a) * den(b));
  }
  function mul(a, b) {
    if (typeof a === "bigint" && typeof b === "bigint") return a * b;
    return Q(num(a) * num(b), den(a) * den(b));
  }
  // Order of two values of one type: numbers exactly, dates (ISO text) and names as text.
  function cmp(a, b) {
    if (isNum(a)) {
      const l = num(a) * den(b), r = num(b) * den(a);
      return l < r ? -1 : l > r ? 1 : 0;
    }
    return a < b ? -1 : a > b ? 1 : 0;
  }
  const eq = (a, b) => (isNum(a) ? cmp(a, b) === 0 : a === b);
  function minOf(xs) {
    let m = xs[0];
    for (const x of xs.slice(1)) if (cmp(x, m) < 0) m = x;
    return m;
  }
  function maxOf(xs) {
    let m = xs[0];
    for (const x of xs.slice(1)) if (cmp(x, m) > 0) m = x;
    return m;
  }

  // 四捨五入 / 切り捨て / 切り上げ to a multiple of ``unit``, on the magnitude
  // (halves away from zero, as feedsl.runtime.round_half_up; never to even).
  function round(mode, x, unit) {
    const n = num(x), d = den(x) * unit;
    const m = abs(n);
    const whole = m / d, rest = m % d;
    let k;
    if (mode === "half_up") k = whole + (2n * rest >= d ? 1n : 0n);
    else if (mode === "down") k = whole;
    else k = whole + (rest ? 1n : 0n);
    return (n < 0n ? -k : k) * unit;
  }

  // --- numbers as text (feedsl.runtime.format_number) -------------------------

  const SHOWN_DIGITS = 60;
  function group3(s) {
    let out = "";
    for (let i = 0; i < s.length; i++) {
      if (i && (s.length - i) % 3 === 0) out += ",";
      out += s[i];
    }
    return out;
  }
  function whole(n, grouping, en) {
    const s = n.toString();
    if (s.length <= SHOWN_DIGITS) return grouping ? group3(s) : s;
    const d = s.length;
    const lead = grouping ? (d % 3 || 3) + 9 : 12;
    const head = s.slice(0, lead);
    let tail = s.slice(d - 9);
    let headText = head;
    if (grouping) {
      headText = group3(head);
      tail = tail.slice(0, 3) + "," + tail.slice(3, 6) + "," + tail.slice(6);
    }
    const mark = en ? "(" + group3(String(d)) + " digits)" : "（全" + group3(String(d)) + "桁）";
    return headText + "…" + mark + "…" + tail;
  }
  // x rounded half-up to ``places`` decimals: [sign, whole part, decimals].
  function fixed(x, places) {
    const n = num(x), d = den(x);
    const scale = 10n ** BigInt(places);
    const units = (2n * abs(n) * scale + d) / (2n * d);
    const w = units / scale, f = units % scale;
    const sign = n < 0n && units ? "-" : "";
    return [sign, w, places ? f.toString().padStart(places, "0") : ""];
  }
  function formatNumber(x, exactPlaces = 4, approxPlaces = 2, grouping = true, en = false) {
    const d = den(x);
    let places = null;
    for (let p = 0; p <= exactPlaces; p++) {
      if ((10n ** BigInt(p)) % d === 0n) {
        places = p;
        break;
      }
    }
    const approx = places === null;
    const [sign, w, f] = fixed(x, approx ? approxPlaces : places);
    return (approx ? "約" : "") + sign + whole(w, grouping, en) + (f ? "." + f : "");
  }
  const formatPercent = (rate) => formatNumber(mul(rate, 100n), 4, 2, false) + "%";
  function formatDecimal(x, digits) {
    const [sign, w, f] = fixed(x, digits);
    return sign + w.toString() + (digits ? "." + f : "");
  }
  const formatRate = (rate, digits = 2) => formatDecimal(mul(rate, 100n), digits) + "%";
  const exactText = (x) => (typeof x === "bigint" ? x.toString() : x.d === 1n ? x.n.toString() : x.n.toString() + "/" + x.d.toString());

  const FISCAL_MONTH = "年度の月";
  const calendarMonth = (place, start) => ((start + place - 2) % 12 + 12) % 12 + 1;

  // A value as a regulation writes it (feedsl.runtime.format_value). ``kind``
  // tells what the value is where JavaScript cannot: "bool", "enum" (with
  // ``labels``), "date", "record", "list", else a number.
  function formatValue(value, unit, kind, labels) {
    unit = unit || "";
    if (value === null || value === undefined) return "—";
    if (typeof value === "boolean") return value ? "はい" : "いいえ";
    if (kind === "enum") return labels && Object.prototype.hasOwnProperty.call(labels, value) ? labels[value] : String(value);
    if (kind === "date") {
      const [y, m, d] = value.split("-").map(Number);
      return y + "年" + m + "月" + d + "日";
    }
    if (Array.isArray(value)) return group3(String(value.length)) + "件";
    if (typeof value === "string") return value;
    if (unit.startsWith(FISCAL_MONTH) && typeof value === "bigint") {
      const start = unit.slice(FISCAL_MONTH.length).replace(/^[（）月始まり]+|[（）月始まり]+$/g, "");
      const place = "年度の第" + value + "月";
      return /^[0-9]+$/.test(start) ? place + "（" + calendarMonth(Number(value), Number(start)) + "月）" : place;
    }
    if (isNum(value)) return unit === "%" ? formatPercent(value) : formatNumber(value) + unit;
    return String(value);
  }

  // --- Python's repr, for the values error messages echo ----------------------
  // Messages show a bad input as Python's feedsl.runtime.shown_input would show
  // the same JSON value (a str, an int, a float, a list, a dict, None).

  function pyType(v) {
    if (v === null || v === undefined) return "NoneType";
    if (typeof v === "boolean") return "bool";
    if (typeof v === "bigint") return "int";
    if (typeof v === "number") return Number.isSafeInteger(v) ? "int" : "float";
    if (typeof v === "string") return "str";
    if (Array.isArray(v)) return "list";
    if (v instanceof Frac) return "Fraction";
    return "dict";
  }
  const CP = (s) => Array.from(s);
  function pyStr(s) {
    const q = s.includes("'") && !s.includes('"') ? '"' : "'";
    let out = q;
    for (const ch of CP(s)) {
      const c = ch.codePointAt(0);
      if (ch === q || ch === "\\") out += "\\" + ch;
      else if (ch === "\n") out += "\\n";
      else if (ch === "\r") out += "\\r";
      else if (ch === "\t") out += "\\t";
      else if (c < 0x20 || (c >= 0x7f && c < 0xa0)) out += "\\x" + c.toString(16).padStart(2, "0");
      else if (ch !== " " && /[\p{C}\p{Z}]/u.test(ch)) {
        out += c > 0xffff ? "\\U" + c.toString(16).padStart(8, "0") : "\\u" + c.toString(16).padStart(4, "0");
      } else out += ch;
    }
    return out + q;
  }
  function pyFloat(x) {
    if (Number.isNaN(x)) return "nan";
    if (!Number.isFinite(x)) return x > 0 ? "inf" : "-inf";
    const [mant, e] = x.toExponential().split("e");
    const exp = Number(e);
    const neg = mant.startsWith("-");
    const digits = mant.replace("-", "").replace(".", "");
    let s;
    if (exp >= -4 && exp < 16) {
      if (exp >= digits.length - 1) s = digits + "0".repeat(exp - digits.length + 1) + ".0";
      else if (exp >= 0) s = digits.slice(0, exp + 1) + "." + digits.slice(exp + 1);
      else s = "0." + "0".repeat(-exp - 1) + digits;
    } else {
      s = digits[0] + (digits.length > 1 ? "." + digits.slice(1) : "") + "e" + (exp < 0 ? "-" : "+") +
        String(Math.abs(exp)).padStart(2, "0");
    }
    return (neg ? "-" : "") + s;
  }
  function cut(s, max) {
    const cs = CP(s);
    if (cs.length <= max) return s;
    const i = Math.max(0, Math.floor((max - 3) / 2)), j = Math.max(0, max - 3 - i);
    return cs.slice(0, i).join("") + "..." + cs.slice(cs.length - j).join("");
  }
  function shown(v, level = 6) {
    if (v === null || v === undefined) return "None";
    if (typeof v === "boolean") return v ? "True" : "False";
    if (typeof v === "bigint") return formatNumber(v, 4, 2, false);
    if (typeof v === "number") return Number.isSafeInteger(v) ? formatNumber(BigInt(v), 4, 2, false) : cut(pyFloat(v), 60);
    if (v instanceof Frac) return "Fraction(" + formatNumber(v.n, 4, 2, false) + ", " + formatNumber(v.d, 4, 2, false) + ")";
    if (typeof v === "string") {
      const cs = CP(v);
      let s = pyStr(cs.slice(0, 60).join(""));
      if (CP(s).length > 60) {
        const i = 28, j = 29;
        s = CP(pyStr(cs.slice(0, i).join("") + cs.slice(cs.length - j).join("")));
        s = s.slice(0, i).join("") + "..." + s.slice(s.length - j).join("");
      }
      return s;
    }
    if (Array.isArray(v)) {
      if (level <= 0 && v.length) return "[...]";
      const pieces = v.slice(0, 6).map((x) => shown(x, level - 1));
      if (v.length > 6) pieces.push("...");
      return "[" + pieces.join(", ") + "]";
    }
    if (typeof v === "object") {
      const keys = Object.keys(v);
      if (!keys.length) return "{}";
      if (level <= 0) return "{...}";
      keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      const pieces = keys.slice(0, 4).map((k) => shown(k, level - 1) + ": " + shown(v[k], level - 1));
      if (keys.length > 4) pieces.push("...");
      return "{" + pieces.join(", ") + "}";
    }
    return cut(String(v), 60);
  }

  // --- typed text (feedsl.values) ---------------------------------------------

  const normalize = (text) => text.normalize("NFKC").replace(/\s+/gu, "");
  function clip(text, keep = 40) {
    const cs = CP(text);
    return cs.length <= keep ? text : cs.slice(0, keep).join("") + "…（" + group3(String(cs.length)) + "文字）";
  }
  const MULTIPLIERS = { "千": 1000n, "万": 10000n, "億": 100000000n, "兆": 1000000000000n };
  const NUMERAL = "[0-9]+(?:,[0-9]+)*(?:\\.[0-9]+)?(?:[千万億兆]+(?:[0-9]+(?:,[0-9]+)*[千万億兆]*)*)?";
  const NUMBER_RE = new RegExp("^([+-]?)(" + NUMERAL + ")([\\s\\S]*)$");
  const GROUP_RE = /([0-9]+(?:,[0-9]+)*)(?:\.([0-9]+))?([千万億兆]*)/g;
  const GROUPED_RE = /^(?:[0-9]{1,3}(?:,[0-9]{3})*|[0-9]+)$/;
  const RATIO_RE = /^([+-]?)([0-9]+)\/([0-9]+)$/;

  // The value of a numeral (12,340 / 2.5万 / 1億5,000万), or [ja, en] when written wrong.
  function numeral(text) {
    const groups = Array.from(text.matchAll(GROUP_RE)).filter((m) => m[0] !== "");
    if (!groups.length || groups.map((m) => m[0]).join("") !== text) return [text + " は数として読めません", text + " is not a number"];
    let value = 0n, last = null;
    for (const m of groups) {
      const int = m[1], frac = m[2] || "", mults = m[3];
      if (int.includes(",") && !GROUPED_RE.test(int)) {
        return ["桁区切りのコンマは3桁ごとに書いてください（12,340）", "commas must group three digits (12,340)"];
      }
      let mult = 1n;
      for (const ch of mults) mult *= MULTIPLIERS[ch];
      const ms = CP(mults);
      if (ms.length > 1 && !(ms.length === 2 && ms[0] === "千")) {
        return [text + ": 「" + mults + "」とは書けません（千万・1億5,000万 のように書きます）", text + ": cannot write " + mults];
      }
      if (last !== null && mult >= last) {
        return [text + ": 大きい位から順に書いてください（1億5,000万 のように）", text + ": write the larger unit first (1億5,000万)"];
      }
      if (frac && groups.length > 1) {
        return [text + ": 小数点は「1.5億」のような一つの位の数にだけ書けます（1億5,000万 と書きます）",
          text + ": a decimal point only in a single-unit numeral (1.5億)"];
      }
      const digits = int.replace(/,/g, "");
      const v = frac ? Q(BigInt(digits + frac), 10n ** BigInt(frac.length)) : BigInt(digits);
      value = add(value, mul(v, mult));
      last = mult;
    }
    return value;
  }
  // [value, rest of the text] or null when the text does not start with a number.
  function splitNumber(text) {
    const s = normalize(text);
    let m = RATIO_RE.exec(s);
    if (m) {
      if (BigInt(m[3]) === 0n) throw new ValueReadError(clip(text) + ": 0 で割ることはできません", clip(text) + ": division by zero", "number");
      return [Q((m[1] === "-" ? -1n : 1n) * BigInt(m[2]), BigInt(m[3])), ""];
    }
    m = NUMBER_RE.exec(s);
    if (!m) return null;
    const got = numeral(m[2]);
    if (Array.isArray(got)) {
      const [ja, en] = got;
      throw new ValueReadError(ja.startsWith(m[2]) ? ja : clip(text) + ": " + ja,
        en.startsWith(m[2]) ? en : clip(text) + ": " + en, "number");
    }
    return [m[1] === "-" ? sub(0n, got) : got, m[3]];
  }
  const WORD = "[\\u3041-\\u3096\\u30a0-\\u30ff\\u3400-\\u4dbf\\u4e00-\\u9fff\\u3005]+";
  const UNIT_RE = new RegExp("^" + WORD + "(?:/" + WORD + ")?$");
  const MONTH_WORDS = ["か月", "ヶ月", "カ月", "ケ月", "箇月", "ヵ月"];
  function canonicalUnit(u) {
    for (const w of MONTH_WORDS.slice(1)) u = u.split(w).join("か月");
    return u;
  }
  function readQuantity(text, unit, integral) {
    unit = unit === "無単位" ? "" : unit || "";
    const got = splitNumber(text);
    if (got === null) throw new ValueReadError(clip(text) + " は数として読めません", clip(text) + " is not a number", "number");
    let [value, suffix] = got;
    if (suffix === "%") {
      if (unit) {
        throw new ValueReadError(clip(text) + ": 単位が違います（" + unit + " の入力に % が書かれています）",
          clip(text) + ": wrong unit (" + unit + " expected, % given)", "unit");
      }
      value = mul(value, Q(1n, 100n));
    } else if (suffix && canonicalUnit(suffix) !== canonicalUnit(unit)) {
      if (UNIT_RE.test(suffix)) {
        const expected = unit ? unit + " の入力" : integral ? "単位のない入力" : "割合の入力（0.75 か 75%）";
        throw new ValueReadError(clip(text) + ": 単位が違います（" + expected + "に " + clip(suffix) + " が書かれています）",
          clip(text) + ": wrong unit (" + (unit || (integral ? "no unit" : "a rate")) + " expected, " + clip(suffix) + " given)", "unit");
      }
      throw new ValueReadError(clip(text) + " は数として読めません", clip(text) + " is not a number", "number");
    }
    if (integral && typeof value !== "bigint") {
      throw new ValueReadError(clip(text) + " は整数ではありません（" + (unit || "数") + "は整数で書いてください）",
        clip(text) + " is not a whole number", "whole");
    }
    return value;
  }
  function readBool(text) {
    const s = normalize(text).toLowerCase();
    if (["はい", "true", "yes", "1", "真"].includes(s)) return true;
    if (["いいえ", "false", "no", "0", "偽"].includes(s)) return false;
    throw new ValueReadError(clip(text) + ": はい/いいえ（true/false）で書いてください", clip(text) + ": expected はい/いいえ or true/false", "bool");
  }
  const labelKey = (label) => normalize(label).toLowerCase();
  // The identifier of the value ``text`` names; ``values`` is [[ident, label], ...].
  function readEnum(text, values) {
    for (const [ident] of values) if (text === ident) return ident;
    const key = labelKey(text);
    for (const [ident, label] of values) if (key === labelKey(label) || key === ident.toLowerCase()) return ident;
    const choices = values.map(([i, l]) => i + "（" + l + "）").join("、");
    throw new ValueReadError(clip(text) + " は使えません。使える値: " + choices,
      "unknown value " + pyStr(clip(text)) + "; one of " + values.map(([i]) => i).join(", "), "enum");
  }

  const ERAS = [
    ["令和", "R", 2019, "2019-05-01", null],
    ["平成", "H", 1989, "1989-01-08", "2019-04-30"],
    ["昭和", "S", 1926, "1926-12-25", "1989-01-07"],
    ["大正", "T", 1912, "1912-07-30", "1926-12-24"],
    ["明治", "M", 1868, "1873-01-01", "1912-07-29"],
  ];
  const DATE_FORMS = "2024-10-01、2024/10/01、2024年10月1日、令和6年10月1日、令和元年5月1日、R6.10.1";
  const SEIREKI_RE = /^([0-9]{4})(?:-([0-9]{1,2})-([0-9]{1,2})|\/([0-9]{1,2})\/([0-9]{1,2})|年([0-9]{1,2})月([0-9]{1,2})日)$/;
  const ERA_KANJI_RE = /^(令和|平成|昭和|大正|明治)(元|[0-9]{1,2})年([0-9]{1,2})月([0-9]{1,2})日$/;
  const ERA_LETTER_RE = /^([RHSTMrhstm])([0-9]{1,2})([./-])([0-9]{1,2})\3([0-9]{1,2})$/;
  const iso = (y, m, d) => String(y).padStart(4, "0") + "-" + String(m).padStart(2, "0") + "-" + String(d).padStart(2, "0");
  function dateError(text, ja, en, kind = "date") {
    if (!ja) {
      return new ValueReadError(clip(text) + ": 日付として読めません（書き方: " + DATE_FORMS + "）",
        clip(text) + ": not a date (write 2024-10-01, 2024/10/01, 2024年10月1日, 令和6年10月1日 or R6.10.1)", kind);
    }
    return new ValueReadError(clip(text) + ": " + ja, clip(text) + ": " + en, kind);
  }
  function daysIn(y, m) {
    if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
    return [4, 6, 9, 11].includes(m) ? 30 : 31;
  }
  function makeDate(text, y, m, d) {
    if (y < 1 || y > 9999 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) {
      throw dateError(text, y + "年" + m + "月" + d + "日という日はありません", "no such date");
    }
    return iso(y, m, d);
  }
  function wareki(isoDate) {
    const [y, m, d] = isoDate.split("-").map(Number);
    for (const [name, , gannen, first, last] of ERAS) {
      if (isoDate >= first && (last === null || isoDate <= last)) {
        const n = y - gannen + 1;
        return name + (n === 1 ? "元" : n) + "年" + m + "月" + d + "日";
      }
    }
    return y + "年" + m + "月" + d + "日";
  }
  function formatDate(isoDate) {
    const w = wareki(isoDate), y = Number(isoDate.slice(0, 4));
    return w.startsWith(String(y)) ? w : w + "（" + y + "年）";
  }
  function readDate(text) {
    const s = normalize(text);
    let m = SEIREKI_RE.exec(s);
    if (m) {
      const i = m[2] ? 2 : m[4] ? 4 : 6;
      return makeDate(text, Number(m[1]), Number(m[i]), Number(m[i + 1]));
    }
    let era, year, mo, d;
    if ((m = ERA_KANJI_RE.exec(s))) [era, year, mo, d] = [m[1], m[2], m[3], m[4]];
    else if ((m = ERA_LETTER_RE.exec(s))) [era, year, mo, d] = [m[1].toUpperCase(), m[2], m[4], m[5]];
    else throw dateError(text);
    const [name, , gannen, first, last] = ERAS.find((e) => e[0] === era || e[1] === era);
    const n = year === "元" ? 1 : Number(year);
    if (n < 1) throw dateError(text, name + "0年はありません（最初の年は" + name + "元年）", "there is no year 0 of " + name);
    const day = makeDate(text, gannen + n - 1, Number(mo), Number(d));
    if (day < first || (last !== null && day > last)) {
      const spanJa = formatDate(first) + "から" + (last ? formatDate(last) + "まで" : "");
      const spanEn = "from " + first + (last ? " to " + last : "");
      const [dy, dm, dd] = day.split("-").map(Number);
      throw dateError(text, name + "は" + spanJa + "です（" + dy + "年" + dm + "月" + dd + "日は" + name + "ではありません）",
        name + " runs " + spanEn + "; " + day + " is outside it", "era");
    }
    return day;
  }

  // --- input checks (feedsl.runtime's bad_* functions) ------------------------
  // ``info`` is [name, label, unit, minimum] as feedsl.runtime.InputInfo.

  const describe = (info) => info[0] + "（" + info[1] + "）";
  function missing(info) {
    throw new FeeInputError("入力 " + describe(info) + " がありません / missing input " + pyStr(info[0]), info[0], info[1]);
  }
  function neededMissing(info, when) {
    throw new FeeInputError("入力 " + describe(info) + "がありません。" + when + "に必要です / missing input " +
      pyStr(info[0]) + ", needed when its condition holds", info[0], info[1]);
  }
  const isPlainObject = (v) => v !== null && typeof v === "object" && !Array.isArray(v) && !(v instanceof Frac);

  // A count or an amount: a BigInt, or a Number that is a safe integer (a
  // larger Number may have lost digits already: it is refused like a float).
  function count(v, info) {
    if (v === undefined) missing(info);
    let n = null;
    if (typeof v === "bigint") n = v;
    else if (typeof v === "number" && Number.isSafeInteger(v)) n = BigInt(v);
    const [name, label, unit, minimum] = info;
    if (n !== null) {
      if (n < BigInt(minimum)) {
        throw new FeeInputError("入力 " + describe(info) + " は " + minimum + unit + "以上です（" + formatNumber(n) + " が渡されました）" +
          " / " + pyStr(name) + " must be >= " + minimum + ", got " + formatNumber(n, 4, 2, true, true), name, label);
      }
      return n;
    }
    if (typeof v === "boolean") {
      throw new FeeInputError("入力 " + describe(info) + " は整数の" + unit + "で渡してください（真偽値 " + shown(v) + " は使えません）" +
        " / " + pyStr(name) + " must be an int, not bool", name, label);
    }
    throw new FeeInputError("入力 " + describe(info) + " は整数の" + unit + "で渡してください（" + pyType(v) + " " + shown(v) + " は使えません）" +
      " / " + pyStr(name) + " must be an int, got " + pyType(v), name, label);
  }
  // A rate: a BigInt or whole Number, or text '3/4', '75%', '0.75'; at or above its 範囲.
  function rate(v, info, minimum, exclusive) {
    if (v === undefined) missing(info);
    const [name, label] = info;
    let x = null;
    if (typeof v === "bigint") x = v;
    else if (typeof v === "number" && Number.isSafeInteger(v)) x = BigInt(v);
    else if (v instanceof Frac) x = v;
    else if (typeof v === "string") {
      try {
        x = readQuantity(v.trim(), "", false);
      } catch (e) {
        if (!(e instanceof ValueReadError)) throw e;
      }
    }
    if (x !== null) {
      const c = cmp(x, minimum);
      if (cmp(x, 0n) >= 0 && (exclusive ? c > 0 : c >= 0)) return x;
      if (cmp(x, 0n) >= 0) {
        throw new FeeInputError("入力 " + describe(info) + " は " + formatRate(minimum) + (exclusive ? "超" : "以上") + " です（" + formatRate(x) + "）" +
          " / " + pyStr(name) + " must be " + (exclusive ? "above" : "at least") + " " + formatRate(minimum), name, label);
      }
    }
    throw new FeeInputError("入力 " + describe(info) + " は 0 以上の整数か Fraction で渡してください（" + shown(x !== null ? x : v) + "）" +
      " / " + pyStr(name) + " must be a non-negative int or Fraction", name, label);
  }
  function bool(v, info) {
    if (v === undefined) missing(info);
    if (typeof v === "boolean") return v;
    throw new FeeInputError("入力 " + describe(info) + " は True/False で渡してください（" + pyType(v) + " " + shown(v) + " は使えません）" +
      " / " + pyStr(info[0]) + " must be a bool", info[0], info[1]);
  }
  // An enum value by its name or label; ``allowed`` (names) narrows a parameter that selects columns.
  function enumArg(v, info, values, allowed) {
    if (v === undefined) missing(info);
    let name = null;
    if (typeof v === "string") {
      try {
        name = readEnum(v, values);
      } catch (e) {
        if (!(e instanceof ValueReadError)) throw e;
      }
    }
    if (name === null) {
      const choices = values.map(([i, l]) => i + "（" + l + "）").join("、");
      throw new FeeInputError("入力 " + describe(info) + " に " + shown(v) + " は使えません。使える値: " + choices +
        " / " + pyStr(info[0]) + ": unknown value " + shown(v), info[0], info[1]);
    }
    if (allowed && !allowed.includes(name)) {
      const label = Object.fromEntries(values);
      const choices = allowed.map((m) => m + "（" + label[m] + "）").join("、");
      throw new FeeInputError("入力 " + describe(info) + " に " + name + "（" + label[name] + "）は使えません。使える値: " + choices +
        " / " + pyStr(info[0]) + ": " + pyStr(name) + " is not one of " + allowed.join(", "), info[0], info[1]);
    }
    return name;
  }
  function dateArg(v, info) {
    if (v === undefined) missing(info);
    if (typeof v === "string") {
      try {
        return readDate(v);
      } catch (e) {
        if (!(e instanceof ValueReadError)) throw e;
        throw new FeeInputError("入力 " + describe(info) + " の日付 " + e.ja + " / " + pyStr(info[0]) + ": " + e.en, info[0], info[1]);
      }
    }
    throw new FeeInputError("入力 " + describe(info) + " は日付（datetime.date か '2024-10-15'・'令和6年10月15日' の形の文字列）で渡してください（" +
      shown(v) + "） / " + pyStr(info[0]) + " must be a date", info[0], info[1]);
  }
  // A record: a plain object of its fields. ``make`` checks the fields (its own
  // errors name the field); here unknown fields and the wrapping of its errors.
  function recordArg(v, info, rec, index) {
    const at = index === undefined ? "" : "[" + index + "]";
    const where = describe(info) + at;
    if (v === undefined) missing(info);
    if (isPlainObject(v)) {
      const unknown = Object.keys(v).filter((k) => !rec.fields.includes(k));
      if (unknown.length) {
        throw new FeeInputError("入力 " + where + " に項目 " + shown(unknown[0]) + " はありません。項目: " + rec.fields.join(", ") +
          " / " + info[0] + ": unknown field " + shown(unknown[0]), info[0] + at + "." + unknown[0], info[1]);
      }
      try {
        return rec.make(v);
      } catch (e) {
        if (!(e instanceof FeeInputError)) throw e;
        throw new FeeInputError("入力 " + where + " の" + e.message, info[0] + at + "." + e.input, info[1]);
      }
    }
    throw new FeeInputError("入力 " + where + " は " + rec.label + "（dict か " + rec.cls + "）で渡してください（" + pyType(v) + " は使えません）" +
      " / " + info[0] + at + " must be a " + rec.cls + " or a dict", info[0] + at, info[1]);
  }
  function listArg(v, info, rec) {
    if (v === undefined) missing(info);
    if (!Array.isArray(v)) {
      throw new FeeInputError("入力 " + describe(info) + " は一覧（list）で渡してください（" + pyType(v) + " は使えません）" +
        " / " + pyStr(info[0]) + " must be a list", info[0], info[1]);
    }
    return v.map((item, i) => recordArg(item, info, rec, i));
  }
  function inputValue(value, info, kind, labels) {
    const unit = value instanceof Frac && !info[2] ? "%" : kind === "rate" && !info[2] ? "%" : info[2];
    return formatValue(value, unit, kind, labels);
  }
  // A broken 前提: ``shown`` is [[info, value, kind, labels], ...] for the inputs it mentions.
  function relationFailed(label, text, shownValues) {
    const names = shownValues.map(([info, v, kind, labels]) => describe(info) + " = " + inputValue(v, info, kind, labels)).join("、");
    const infos = shownValues.map((s) => s[0]);
    throw new FeeInputError(label + ": " + names + "（前提: " + text + "） / inputs " + infos.map((i) => i[0]).join(", ") +
      " break the rule: " + text, infos.length ? infos[0][0] : "", infos.length ? infos[0][1] : "", infos.map((i) => i[0]));
  }
  function divide(a, b, what, infos) {
    if (cmp(b, 0n) === 0) {
      const first = infos.length ? infos[0] : null;
      throw new FeeInputError(what + " が 0 なので割り算ができません / " + what + " is zero",
        first ? first[0] : what.split("（")[0], first ? first[1] : "", infos.map((i) => i[0]));
    }
    return Q(num(a) * den(b), den(a) * num(b));
  }
  function noRow(table, key) {
    throw new FeeInputError("表「" + table + "」に " + formatValue(key) + " に当たる行がありません / no row of " + table + " for " + shown(key));
  }
  // 合計 / 件数: an input error inside names the item (feedsl.runtime.sum_over).
  function at(e, where, i) {
    return new FeeInputError(where + "[" + i + "]（" + (i + 1) + "件目）の" + e.message,
      where + "[" + i + "]" + (e.input ? "." + e.input : ""), e.label);
  }
  function sumOver(fn, items, where) {
    let total = 0n;
    items.forEach((item, i) => {
      try {
        total = add(total, fn(item));
      } catch (e) {
        throw e instanceof FeeInputError ? at(e, where, i) : e;
      }
    });
    return total;
  }
  function countOver(fn, items, where) {
    let n = 0n;
    items.forEach((item, i) => {
      try {
        if (fn(item)) n += 1n;
      } catch (e) {
        throw e instanceof FeeInputError ? at(e, where, i) : e;
      }
    });
    return n;
  }
  // The first row whose interval holds ``key``: rows are [lo, loIncl, hi, hiIncl] (null: unbounded).
  function lookup(key, rows, values, elseValue, table) {
    for (let i = 0; i < rows.length; i++) {
      const [lo, li, hi, hiIncl] = rows[i];
      if (lo !== null && (cmp(key, lo) < 0 || (!li && cmp(key, lo) === 0))) continue;
      if (hi !== null && (cmp(key, hi) > 0 || (!hiIncl && cmp(key, hi) === 0))) continue;
      return values[i];
    }
    if (elseValue === undefined) noRow(table, key);
    return elseValue;
  }
  const fyMonth = (isoDate, start) => ((Number(isoDate.slice(5, 7)) - start) % 12 + 12) % 12 + 1;

  // difflib.get_close_matches(word, possibilities, n=1) (Ratcliff/Obershelp).
  function matchingBlocksSize(a, b) {
    const b2j = new Map();
    for (let j = 0; j < b.length; j++) {
      if (!b2j.has(b[j])) b2j.set(b[j], []);
      b2j.get(b[j]).push(j);
    }
    let total = 0;
    const queue = [[0, a.length, 0, b.length]];
    while (queue.length) {
      const [alo, ahi, blo, bhi] = queue.pop();
      let besti = alo, bestj = blo, bestsize = 0;
      let j2len = new Map();
      for (let i = alo; i < ahi; i++) {
        const newj2len = new Map();
        for (const j of b2j.get(a[i]) || []) {
          if (j < blo) continue;
          if (j >= bhi) break;
          const k = (j2len.get(j - 1) || 0) + 1;
          newj2len.set(j, k);
          if (k > bestsize) {
            besti = i - k + 1;
            bestj = j - k + 1;
            bestsize = k;
          }
        }
        j2len = newj2len;
      }
      if (bestsize) {
        total += bestsize;
        if (alo < besti && blo < bestj) queue.push([alo, besti, blo, bestj]);
        if (besti + bestsize < ahi && bestj + bestsize < bhi) queue.push([besti + bestsize, ahi, bestj + bestsize, bhi]);
      }
    }
    return total;
  }
  function closeMatch(word, possibilities) {
    let best = null, bestScore = -1;
    const b = CP(word);
    for (const x of possibilities) {
      const a = CP(x);
      const score = a.length + b.length ? (2 * matchingBlocksSize(a, b)) / (a.length + b.length) : 1;
      if (score >= 0.6 && (score > bestScore || (score === bestScore && x > best))) {
        best = x;
        bestScore = score;
      }
    }
    return best;
  }
  function badCall(entry, extra, allowed) {
    const name = extra[0];
    const sug = closeMatch(name, allowed);
    const hint = sug !== null ? "「" + sug + "」のことですか？ " : "";
    throw new FeeInputError(entry + " に入力 " + pyStr(name) + " はありません。" + hint + "入力: " + (allowed.join(", ") || "なし") +
      " / " + entry + " has no input " + pyStr(name), name);
  }
  function argsOf(entry, args, allowed) {
    if (args === undefined || args === null) args = {};
    if (!isPlainObject(args)) throw new TypeError(entry + ": the inputs are one object keyed by input name");
    const extra = Object.keys(args).filter((k) => !allowed.includes(k));
    if (extra.length) badCall(entry, extra, allowed);
    return args;
  }

  // Text typed for an input (feedsl.typed.parse_value): ``t`` is the input's
  // type as R.entries_info gives it. Numbers and はい/いいえ that do not read are
  // a FeeInputError (name=message, as the command line says); an enum value or
  // a date that does not read is passed on as typed, for the entry's own message.
  function readInput(name, text, t) {
    if (typeof text !== "string") return text;
    const s = text.trim();
    try {
      if (t.kind === "count" || t.kind === "rate") return readQuantity(s, t.unit, t.kind === "count");
      if (t.kind === "bool") return readBool(s);
      if (t.kind === "date") return readDate(s);
      if (t.kind === "enum") return readEnum(s, t.options);
    } catch (e) {
      if (!(e instanceof ValueReadError)) throw e;
      if (t.kind === "count" || t.kind === "rate" || t.kind === "bool") {
        throw new FeeInputError(name + "=" + e.ja + " / " + name + "=" + e.en, name);
      }
      return s;
    }
    let value;
    try {
      value = JSON.parse(s);
    } catch (e) {
      throw new FeeInputError(name + ": JSON として読めません / not valid JSON", name);
    }
    return coerce(value, t, name);
  }
  function coerce(value, t, where) {
    if (typeof value === "string" && t.kind !== "record" && t.kind !== "list") return readInput(where, value, t);
    if (t.kind === "record" && isPlainObject(value)) {
      const out = {};
      for (const k of Object.keys(value)) {
        const f = t.fields.find((x) => x.name === k);
        out[k] = f ? coerce(value[k], f, where + "." + k) : value[k];
      }
      return out;
    }
    if (t.kind === "list" && Array.isArray(value)) {
      return value.map((v, i) => coerce(v, { ...t, kind: "record" }, where + "[" + i + "]"));
    }
    if (typeof value === "number" && Number.isSafeInteger(value)) return BigInt(value);
    return value;
  }

  // --- the breakdown (feedsl.explanation) ------------------------------------
  // ``fd`` describes how a value is shown: [unit, kind, enum labels].

  const fmt = (v, fd) => formatValue(v, fd[0], fd[1], fd[2]);
  class Node {
    constructor(name, label, clause, fd, index) {
      this.name = name;
      this.label = label;
      this.clause = clause;
      this.fd = fd;
      this.unit = fd[0];
      this.value = null;
      this.steps = [];
      this.children = [];
      this.index = index === undefined ? null : index;
    }
    add(child) {
      this.children.push(child);
      return child;
    }
    get text() {
      return fmt(this.value, this.fd);
    }
    // JSON-ready, as feedsl.explanation.Node.to_dict: a rule used twice is
    // given once, the second time marked same_as_above.
    toDict() {
      const out = {};
      const stack = [[this, out]];
      const seen = new Set();
      while (stack.length) {
        const [node, d] = stack.pop();
        Object.assign(d, { name: node.name, label: node.label, clause: node.clause, unit: node.unit, text: node.text });
        if (seen.has(node)) {
          d.same_as_above = true;
          continue;
        }
        seen.add(node);
        if (node.index !== null) d.index = node.index;
        d.steps = node.steps.map((s) => ({ kind: s[0], text: s[1] }));
        d.children = node.children.map(() => ({}));
        // In the order Python's to_dict walks (the last child first): where a
        // rule is used twice, the same child is the one marked same_as_above.
        node.children.forEach((c, k) => stack.push([c, d.children[k]]));
      }
      return out;
    }
  }
  const step = (node, kind, text) => node.steps.push([kind, text]);
  function term(label, value, fd, isInput) {
    if (isInput && value === null) return label + " 入力なし";
    return label + " " + fmt(value, fd);
  }
  function tryTerm(label, thunk, fd) {
    if (thunk === null) return label + " —";
    try {
      return term(label, thunk(), fd);
    } catch (e) {
      return label + " —";
    }
  }
  const shownValues = (values) => (values.length ? "（" + values.join("、") + "）" : "");
  const yesNo = (b) => (b ? "はい" : "いいえ");
  const formula = (node, expression, value, fd) => step(node, "formula", expression + " = " + fmt(value, fd));
  function rounding(node, described, before, after, fd, mode, stepText) {
    step(node, "rounding", described + " → " + fmt(after, fd) + "（" + stepText + "未満" + mode + "）");
  }
  function cap(node, func, described, values, result, fd) {
    const note = !eq(result, values[0]) ? func + "を適用: " + fmt(values[0], fd) + " → " + fmt(result, fd) : func + "は適用されない";
    step(node, "cap", func + "(" + described.join("、") + ") = " + fmt(result, fd) + "（" + note + "）");
  }
  // table: [name, fd, column names, column labels, rows]; a row is
  // [is else, lo, lo included, hi, hi included, text, display, amounts].
  function rowOf(node, table, described, key, column) {
    const [name, fd, columns, colLabels, rows] = table;
    let found = null;
    for (const r of rows) {
      if (r[0]) continue;
      const [, lo, li, hi, hiIncl] = r;
      if (lo !== null && (cmp(key, lo) < 0 || (!li && cmp(key, lo) === 0))) continue;
      if (hi !== null && (cmp(key, hi) > 0 || (!hiIncl && cmp(key, hi) === 0))) continue;
      found = r;
      break;
    }
    if (found === null) found = rows.find((r) => r[0]) || null;
    if (found === null) noRow(name, key);
    const value = found[7][columns.length ? columns.indexOf(column) : 0];
    const [text, display] = [found[5], found[6]];
    const shownRow = "「" + text + "」" + (display !== text ? "（" + display + "）" : "");
    const col = columns.length ? "、" + colLabels[column] + "の列" : "";
    step(node, "row", described + ": " + shownRow + col + " → " + fmt(value, fd));
    return value;
  }
  function category(node, table, key, fd) {
    const [name, column, cells] = table;
    const [row, value, written] = cells[key];
    step(node, "category", value === null ? name + ": " + column + "（" + row + "）" + (written || "なし") + " → 該当しない"
      : name + ": " + column + "（" + row + "）" + fmt(value, fd));
    return value;
  }
  function branch(node, condition, values, result, taken) {
    const word = result ? "ならば" : "それ以外は";  // as explanation.branch shows it (the pages' one word for "otherwise")
    step(node, "branch", "もし " + condition + shownValues(values) + ": " + yesNo(result) + " → " + word + " " + taken);
  }
  const caseStep = (node, condition, values, taken) => step(node, "branch", "場合 " + condition + shownValues(values) + " → " + taken);
  const match = (node, described, arm, taken) => step(node, "match", "場合 " + described + " → " + (arm === "それ以外" ? "それ以外: " + taken : taken));
  const condition = (node, text, values, result) => step(node, "condition", text + shownValues(values) + ": " + yesNo(result));
  function aggregate(node, func, label, n, result, fd) {
    step(node, "aggregate", func === "件数" ? "件数（" + label + " " + group3(String(n)) + "件のうち）= " + fmt(result, fd)
      : "合計（" + label + " " + group3(String(n)) + "件）= " + fmt(result, fd));
  }
  // fields: [[name, label, fd], ...]; a conditional field not given (null) is not shown.
  function record(node, label, rec, fields, at) {
    const shownFields = fields.filter((f) => rec[f[0]] !== null).map((f) => f[1] + " " + fmt(rec[f[0]], f[2])).join("、");
    node.steps.splice(at === undefined ? node.steps.length : at, 0, ["record", label + ": " + shownFields]);
  }
  function records(node, label, recs, at) {
    node.steps.splice(at === undefined ? node.steps.length : at, 0, ["record", label + ": " + group3(String(recs.length)) + "件"]);
  }
  function item(node, listName, label, index, rec, fields, fd) {
    const child = new Node(listName + "[" + index + "]", label + " " + (index + 1) + "件目", "", fd, index);
    record(child, label, rec, fields);
    return node.add(child);
  }
  const notGiven = (node, name, text) => step(node, "not_given", text);
  function sumItems(f, items) {
    let total = 0n;
    items.forEach((x, i) => {
      total = add(total, f(x, i));
    });
    return total;
  }
  function countItems(f, items) {
    let n = 0n;
    items.forEach((x, i) => {
      if (f(x, i)) n += 1n;
    });
    return n;
  }

  root.runtime = {
    Node, fmt, term, tryTerm, formula, rounding, cap, rowOf, category, branch, caseStep, match, condition,
    aggregate, record, records, item, notGiven, sumItems, countItems,
    FeeInputError, ValueReadError, Frac, Q, add, sub, mul, cmp, eq, minOf, maxOf, round,
    formatNumber, formatPercent, formatRate, formatDecimal, formatValue, exactText, formatDate, wareki,
    shown, pyStr, pyType, normalize, readQuantity, readBool, readEnum, readDate, splitNumber,
    missing, neededMissing, count, rate, bool, enumArg, dateArg, recordArg, listArg, relationFailed,
    divide, noRow, sumOver, countOver, lookup, fyMonth, calendarMonth, argsOf, isPlainObject, readInput,
  };
  root.FeeInputError = FeeInputError;
})();
