/* feedsl: the calculator in a regulation's page (issue 14).
 *
 * The page carries the regulation compiled to JavaScript (it registers
 * globalThis.feedsl[<regulation>]: entries, read, explanations) and the form
 * spec (#calc-spec: entries, fields, labels, units, 必要 conditions) made
 * from the same checked IR. This script builds one form per entry, computes
 * as the member types, and keeps the state in the URL fragment:
 *
 *     page.html#municipal_fee?kind=city&population=25000&households=54321
 *
 * Keys are input names (a record's field "facility.kind", a list's row
 * "supporters.0.kind" and its row count "supporters=2"); values are as typed,
 * enums by name, booleans はい/いいえ. Nothing is fetched; no identifier is
 * shown on screen. Plain ES2020, no library.
 */
(function () {
  "use strict";

  var section = document.getElementById("calculator");
  var specNode = document.getElementById("calc-spec");
  if (!section || !specNode) return;
  var spec = JSON.parse(specNode.textContent);
  var R = globalThis.feedsl && globalThis.feedsl[spec.regulation];
  var $ = function (id) { return document.getElementById(id); };
  var app = $("calc-app"), entrySel = $("calc-entry"), form = $("calc-form");
  var notice = $("calc-notice"), amount = $("calc-amount"), problem = $("calc-problem");
  var tree = $("calc-tree"), treeBox = $("calc-breakdown"), urlBox = $("calc-url");
  var printed = $("calc-printed"), clauseLine = $("calc-clause");
  var MAX_ROWS = 200;

  if (!R) {
    section.querySelector(".calc-unavailable").hidden = false;
    return;
  }
  app.hidden = false;

  // --- small DOM helpers ------------------------------------------------------
  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") e.textContent = attrs[k];
      else if (k === "className") e.className = attrs[k];
      else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) e.setAttribute(k, attrs[k]);
    });
    (children || []).forEach(function (c) { if (c) e.appendChild(c); });
    return e;
  }
  function idOf(key) { return "calc-f-" + key.replace(/\./g, "-"); }

  // --- the entry list ---------------------------------------------------------
  function addOptions(parent, names) {
    names.forEach(function (n) {
      parent.appendChild(el("option", { value: n, text: spec.entries[n].label }));
    });
  }
  addOptions(entrySel, spec.main);
  if (spec.parts.length) {
    var g = el("optgroup", { label: "計算の途中の額・表" });
    addOptions(g, spec.parts);
    entrySel.appendChild(g);
  }

  // --- building a form --------------------------------------------------------
  // Each field is a <div class="calc-field" data-key=KEY> holding one control;
  // records are <fieldset data-key=KEY> of fields KEY.field; lists hold rows
  // <fieldset data-key=KEY.N>. The DOM is the state: values are read back from it.

  function fieldBox(f, key, scope) {
    if (f.kind === "record") return recordBox(f, key, scope);
    if (f.kind === "list") return listBox(f, key, scope);
    var box = el("div", { className: "calc-field", "data-key": key, "data-scope": scope });
    box._field = f;
    var id = idOf(key);
    var label = el("label", { "for": id, className: "calc-label", text: f.label });
    var control;
    if (f.kind === "enum") {
      control = el("select", { id: id, name: key });
      if (f.default === undefined) control.appendChild(el("option", { value: "", text: "選んでください" }));
      f.options.forEach(function (o) { control.appendChild(el("option", { value: o[0], text: o[1] })); });
      control.value = f.default !== undefined ? f.default : "";
    } else if (f.kind === "bool") {
      control = el("span", { className: "calc-yesno", role: "radiogroup", "aria-labelledby": id + "-l" });
      label = el("span", { id: id + "-l", className: "calc-label", text: f.label });
      ["はい", "いいえ"].forEach(function (v, i) {
        var r = el("input", { type: "radio", name: key, value: v, id: id + (i ? "-n" : "-y") });
        if (f.default === v) r.checked = true;
        control.appendChild(el("label", { className: "calc-radio" }, [r, document.createTextNode(v)]));
      });
    } else {
      control = el("input", {
        id: id, name: key, type: "text", autocomplete: "off",
        inputmode: f.kind === "date" ? null : "decimal",
        placeholder: f.kind === "date" ? "例: 令和6年10月1日" : null,
        value: f.default !== undefined ? f.default : null,
      });
      if (f.default !== undefined) control.value = f.default;
    }
    var wrap = el("span", { className: "calc-control" }, [control]);
    if (f.unit) wrap.appendChild(el("span", { className: "calc-unit", text: f.unit }));
    var head = el("span", { className: "calc-head" }, [label]);
    if (f.only) head.appendChild(el("span", { className: "calc-only", text: f.only }));
    box.appendChild(head);
    box.appendChild(wrap);
    var hint = [f.range, f.description].filter(Boolean).join("。");
    if (hint) box.appendChild(el("p", { className: "calc-hint", id: id + "-hint", text: hint }));
    box.appendChild(el("p", { className: "calc-err", id: id + "-err", role: "alert", hidden: "hidden" }));
    control.setAttribute("aria-describedby", (hint ? id + "-hint " : "") + id + "-err");
    return box;
  }

  function recordBox(f, key, scope) {
    var rec = spec.records[f.record];
    var fs = el("fieldset", { className: "calc-record", "data-key": key, "data-scope": scope });
    fs._field = f;
    fs.appendChild(el("legend", { text: f.label }));
    rec.fields.forEach(function (rf) { fs.appendChild(fieldBox(rf, key + "." + rf.key, key)); });
    fs.appendChild(el("p", { className: "calc-err", role: "alert", hidden: "hidden" }));
    return fs;
  }

  function listBox(f, key, scope) {
    var fs = el("fieldset", { className: "calc-list", "data-key": key, "data-scope": scope });
    fs._field = f;
    fs.appendChild(el("legend", { text: f.label }));
    var rows = el("div", { className: "calc-rows" });
    var empty = el("p", { className: "calc-hint calc-none", text: "なし（0件）" });
    var add = el("button", { type: "button", className: "calc-add", text: "追加" });
    add.addEventListener("click", function () {
      addRow(fs);
      changed();
      var first = rows.lastChild && rows.lastChild.querySelector("select, input");
      if (first) first.focus();
    });
    fs.appendChild(empty);
    fs.appendChild(rows);
    fs.appendChild(el("p", { className: "calc-err", role: "alert", hidden: "hidden" }));
    fs.appendChild(add);
    return fs;
  }

  function addRow(listFs) {
    var rows = listFs.querySelector(".calc-rows");
    if (rows.children.length >= MAX_ROWS) return null;
    var f = listFs._field, key = listFs.dataset.key;
    var row = recordBox({ label: "", record: f.record }, key + "." + rows.children.length, key);
    row.classList.add("calc-row");
    var del = el("button", { type: "button", className: "calc-del", text: "削除" });
    del.addEventListener("click", function () {
      var values = rowValues(listFs).filter(function (_, i) { return i !== indexOf(row); });
      setRows(listFs, values);
      changed();
    });
    row.appendChild(del);
    rows.appendChild(row);
    renumber(listFs);
    return row;
  }
  function indexOf(row) { return Array.prototype.indexOf.call(row.parentNode.children, row); }

  function renumber(listFs) {
    var rows = listFs.querySelector(".calc-rows").children;
    listFs.querySelector(".calc-none").hidden = rows.length > 0;
    Array.prototype.forEach.call(rows, function (row, i) {
      row.querySelector("legend").textContent = (i + 1) + "件目";
    });
  }

  // Rows are rebuilt from values (after a 削除, or from the URL) so that keys stay KEY.0, KEY.1, …
  function setRows(listFs, values) {
    listFs.querySelector(".calc-rows").textContent = "";
    values.slice(0, MAX_ROWS).forEach(function (vals) {
      var row = addRow(listFs);
      var prefix = row.dataset.key + ".";
      Object.keys(vals).forEach(function (k) { setText(prefix + k, vals[k]); });
    });
    renumber(listFs);
  }
  function rowValues(listFs) {
    return Array.prototype.map.call(listFs.querySelector(".calc-rows").children, function (row) {
      var out = {}, prefix = row.dataset.key + ".";
      fieldsIn(row).forEach(function (b) { out[b.dataset.key.slice(prefix.length)] = textOf(b); });
      return out;
    });
  }

  // --- reading and writing values as text ----------------------------------------
  function fieldsIn(container) {
    var direct = [];
    Array.prototype.forEach.call(container.children, function (c) {
      if (c.classList.contains("calc-field")) direct.push(c);
    });
    return direct;
  }
  function textOf(box) {
    var f = box._field;
    if (f.kind === "bool") {
      var c = box.querySelector("input:checked");
      return c ? c.value : "";
    }
    var control = box.querySelector("input, select");
    return control ? control.value.trim() : "";
  }
  // Keys may come from a hand-edited link: escaped for the selector, never code.
  function boxOf(key) { return form.querySelector('[data-key="' + CSS.escape(key) + '"]'); }
  function setText(key, text) {
    var box = boxOf(key);
    if (!box || !box.classList.contains("calc-field")) return false;
    var f = box._field;
    if (f.kind === "bool") {
      var yes = /^(はい|true|yes|1|真)$/i.test(text), no = /^(いいえ|false|no|0|偽)$/i.test(text);
      box.querySelectorAll("input").forEach(function (r) { r.checked = (r.value === "はい" && yes) || (r.value === "いいえ" && no); });
      return yes || no;
    }
    if (f.kind === "enum") {
      var hit = f.options.filter(function (o) { return o[0] === text || o[1] === text; })[0];
      box.querySelector("select").value = hit ? hit[0] : "";
      return !!hit;
    }
    box.querySelector("input").value = text;
    return true;
  }

  // --- 必要 conditions ------------------------------------------------------------
  // Three-valued: null while a value the condition reads is not chosen yet (the
  // field waits hidden until it is known to be needed).
  function holds(cond, scope) {
    if (cond.const !== undefined) return cond.const;
    if (cond.not) { var x = holds(cond.not, scope); return x === null ? null : !x; }
    if (cond.and || cond.or) {
      var a = holds((cond.and || cond.or)[0], scope), b = holds((cond.and || cond.or)[1], scope);
      if (cond.and) return a === false || b === false ? false : (a === null || b === null ? null : true);
      return a === true || b === true ? true : (a === null || b === null ? null : false);
    }
    var key = (scope ? scope + "." : "") + (cond.is || cond["true"]);
    var box = boxOf(key);
    if (!box) return true;  // not on this form: show the field rather than hide it
    var t = textOf(box);
    if (t === "") return null;
    return cond.is ? cond["in"].indexOf(t) >= 0 : t === "はい";
  }
  function applyConditions() {
    form.querySelectorAll(".calc-field").forEach(function (box) {
      var f = box._field;
      box.hidden = !!(f.when && holds(f.when, box.dataset.scope) !== true);
    });
  }
  function visible(box) {
    for (var e = box; e && e !== form; e = e.parentElement) if (e.hidden) return false;
    return true;
  }

  // --- the URL fragment ----------------------------------------------------------
  function fragment() {
    var parts = [];
    function walk(container) {
      Array.prototype.forEach.call(container.children, function (c) {
        var key = c.dataset && c.dataset.key;
        if (c.classList.contains("calc-field")) {
          var t = textOf(c);
          if (t !== "" && !c.hidden) parts.push(key + "=" + encodeURIComponent(t));
        } else if (c.classList.contains("calc-list")) {
          var rows = c.querySelector(".calc-rows");
          parts.push(key + "=" + rows.children.length);
          Array.prototype.forEach.call(rows.children, walk);
        } else if (c.classList.contains("calc-record")) {
          walk(c);
        }
      });
    }
    walk(form);
    return entrySel.value + (parts.length ? "?" + parts.join("&") : "");
  }

  function decode(s) {
    try { return decodeURIComponent(s.replace(/\+/g, " ")); } catch (e) { return null; }
  }

  // A fragment is the calculator's when it has "?" or names an entry; other
  // fragments (#rules, #rule-…) are the page's own links and are left alone.
  function fromFragment(hash) {
    var h = hash.replace(/^#/, "");
    if (!h) return false;
    var q = h.indexOf("?");
    var name = decode(q < 0 ? h : h.slice(0, q));
    var known = name !== null && Object.prototype.hasOwnProperty.call(spec.entries, name);
    if (q < 0 && !known) return false;
    var messages = [];
    if (!known) {
      messages.push("このリンクが指す計算は、このページにはありません。計算するものを選び直してください。");
      showEntry(entrySel.value);
      say(messages);
      return true;
    }
    entrySel.value = name;
    showEntry(name);
    var pairs = q < 0 ? [] : h.slice(q + 1).split("&").filter(Boolean);
    var unknown = 0, unread = 0, later = [];
    // List counts first, so that rows exist before their fields are filled.
    pairs.forEach(function (p) {
      var eq = p.indexOf("="), key = decode(eq < 0 ? p : p.slice(0, eq)), val = decode(eq < 0 ? "" : p.slice(eq + 1));
      if (key === null || val === null) { unread++; return; }
      var box = boxOf(key);
      if (box && box.classList.contains("calc-list")) {
        var n = /^\d+$/.test(val) ? Math.min(parseInt(val, 10), MAX_ROWS) : 0;
        var m = listRowsNeeded(key, pairs);
        setRows(box, new Array(Math.max(n, m)).fill(0).map(function () { return {}; }));
      } else {
        later.push([key, val]);
      }
    });
    later.forEach(function (kv) {
      var key = kv[0], m = /^(.+)\.(\d+)\.[^.]+$/.exec(key);
      if (m && !boxOf(key)) {  // a row beyond the count given: make it
        var list = boxOf(m[1]);
        if (list && list.classList.contains("calc-list") && +m[2] < MAX_ROWS) {
          var have = rowValues(list);
          while (have.length <= +m[2]) have.push({});
          setRows(list, have);
        }
      }
      if (!boxOf(key) || !boxOf(key).classList.contains("calc-field")) unknown++;
      else if (!setText(key, kv[1])) unread++;
    });
    if (unknown) messages.push("リンクの項目のうち " + unknown + " 件は、この計算では使わないので無視しました。");
    if (unread) messages.push("リンクの値のうち " + unread + " 件は読めなかったので、空欄にしました。");
    say(messages);
    return true;
  }
  function listRowsNeeded(listKey, pairs) {
    var most = 0, re = new RegExp("^" + listKey.replace(/[.*+?^${}()|[\]\\]/g, "\\$&") + "\\.(\\d+)\\.");
    pairs.forEach(function (p) {
      var m = re.exec(decode(p.split("=")[0]) || "");
      if (m) most = Math.max(most, Math.min(+m[1] + 1, MAX_ROWS));
    });
    return most;
  }

  function say(messages) {
    notice.textContent = "";
    messages.forEach(function (m) { notice.appendChild(el("p", { text: m })); });
    notice.hidden = messages.length === 0;
  }

  // --- computing -------------------------------------------------------------------
  // A message for members: the Japanese half, input names replaced by their labels.
  function memberText(message) {
    var ja = String(message).split(" / ")[0];
    ja = ja.replace(/（前提: [^）]*）$/, "");
    ja = ja.replace(/(入力 )?[A-Za-z_][A-Za-z0-9_]*(\[(\d+)\])?（([^（）]*)）(\[(\d+)\])?/g,
      function (_, _in, _b, i, label, _b2, j) {
        var n = i !== undefined ? i : j;
        return label + (n !== undefined ? "（" + (+n + 1) + "件目）" : "");
      });
    ja = ja.replace(/: [A-Za-z_][A-Za-z0-9_]* = /g, ": ");
    if (/[A-Za-z_]{2,}/.test(ja.replace(/'[^']*'/g, ""))) return "この入力では計算できません。値を確かめてください。";
    return ja;
  }

  function keyOfInput(input) {
    return String(input || "").replace(/\[(\d+)\]/g, ".$1");
  }

  function clearErrors() {
    form.querySelectorAll(".calc-err").forEach(function (p) { p.hidden = true; p.textContent = ""; });
    form.querySelectorAll(".calc-bad").forEach(function (b) { b.classList.remove("calc-bad"); });
  }
  function markError(inputName, text) {
    var key = keyOfInput(inputName), box = null;
    for (var k = key; k && !box; k = k.replace(/\.?[^.]*$/, "")) box = boxOf(k);
    if (!box || !visible(box)) return false;
    box.classList.add("calc-bad");
    var p = box.querySelector(":scope > .calc-err");
    p.textContent = text;
    p.hidden = false;
    return true;
  }

  // The value of one field for the compiled entry, read as the CLI reads its text
  // (R.read; a record's field through the runtime's reader with the field's type
  // from R.entries_info, since R.read takes top-level names only). A text that
  // does not read is an error at that field, in the reader's Japanese.
  function readField(box, t) {
    var f = box._field, key = box.dataset.key;
    if (f.kind === "enum") return t;
    if (f.kind === "bool") return t === "はい";
    var parts = key.split(".");
    try {
      if (parts.length === 1) return R.read(key, t, entrySel.value);
      return globalThis.feedsl.runtime.readInput(key, t, fieldMeta(parts));
    } catch (e) {
      if (!e || e.input === undefined) throw e;
      var ja = String(e.message).split(" / ")[0].replace(/^[^=]*=/, "").replace("（true/false）", "");
      throw { input: key, message: ja, read: true };
    }
  }
  function fieldMeta(parts) {
    var info = R.entries_info[entrySel.value].inputs.filter(function (i) { return i.name === parts[0]; })[0];
    var name = parts[parts.length - 1];
    return info.fields.filter(function (x) { return x.name === name; })[0];
  }

  // The arguments of the entry from the form; fields left empty are not given.
  function gather(container, out, missing) {
    Array.prototype.forEach.call(container.children, function (c) {
      if (!c.dataset || !c.dataset.key || c.hidden) return;
      var name = c.dataset.key.replace(/^(.*\.)?/, "");
      if (c.classList.contains("calc-field")) {
        var t = textOf(c);
        if (t === "") {
          if (c._field.required || c._field.when) missing.push(placeOf(c).concat([c._field.label]).join(" "));
          return;
        }
        out[name] = readField(c, t);
      } else if (c.classList.contains("calc-record")) {
        out[name] = gather(c, {}, missing);
      } else if (c.classList.contains("calc-list")) {
        out[name] = Array.prototype.map.call(c.querySelector(".calc-rows").children, function (row) {
          return gather(row, {}, missing);
        });
      }
    });
    return out;
  }

  function compute() {
    var name = entrySel.value;
    clearErrors();
    tree.textContent = "";
    treeBox.hidden = true;
    problem.hidden = true;
    amount.classList.remove("calc-ok");
    var missing = [], args;
    try {
      args = gather(form, {}, missing);
    } catch (e) {
      return failed(e);
    }
    if (missing.length) {
      amount.textContent = "—";
      problem.textContent = "あと " + missing.filter(function (x, i) { return missing.indexOf(x) === i; }).join("・") +
        " を入力すると、金額を計算します。";
      problem.hidden = false;
      problem.classList.remove("calc-error");
      return printInputs(null);
    }
    var result;
    try {
      result = R.entries[name](args);
    } catch (e) {
      return failed(e);
    }
    amount.textContent = result.text;
    amount.classList.add("calc-ok");
    if (result.breakdown) {
      tree.appendChild(nodeList([result.breakdown], 0));
      treeBox.hidden = false;
    }
    printInputs(result);
  }

  function failed(e) {
    amount.textContent = "—";
    if (!e || e.input === undefined) {  // a bug, not the member's input: said, and left in the console
      problem.textContent = "この計算はこのページではできませんでした。";
      problem.hidden = false;
      printInputs(null);
      throw e;
    }
    var text = e.read ? e.message : memberText(e.message);
    problem.textContent = "入力を確かめてください: " + text;
    problem.classList.add("calc-error");
    problem.hidden = false;
    markError(e.input, text);
    printInputs(null);
  }

  // The explanation tree: each rule with its clause and amount, its steps below it.
  // The first two levels are open; deeper rules fold (a click opens them) so that a
  // long breakdown stays readable on a phone.
  var OPEN_LEVELS = 2;
  function nodeList(nodes, depth) {
    var ul = el("ul", { className: "calc-nodes" });
    nodes.forEach(function (n) {
      var head = el("span", { className: "calc-node" }, [
        el("span", { className: "calc-node-label", text: n.label }),
        n.clause ? el("span", { className: "clause", text: n.clause }) : null,
        el("span", { className: "calc-node-value", text: n.text }),
      ]);
      var inner = [];
      if (n.same_as_above) {
        head.insertBefore(el("span", { className: "calc-hint", text: "（内訳は上記）" }), head.lastChild);
      } else {
        if (n.steps && n.steps.length) {
          inner.push(el("ul", { className: "calc-steps" }, n.steps.map(function (s) {
            return el("li", { text: typeof s === "string" ? s : s.text });
          })));
        }
        if (n.children && n.children.length) inner.push(nodeList(n.children, depth + 1));
      }
      var li;
      if (depth >= OPEN_LEVELS && inner.length) {
        li = el("li", {}, [el("details", {}, [el("summary", {}, [head])].concat(inner))]);
      } else {
        li = el("li", {}, [head].concat(inner));
      }
      ul.appendChild(li);
    });
    return ul;
  }
  // Printed, the whole breakdown shows.
  window.addEventListener("beforeprint", function () {
    tree.querySelectorAll("details").forEach(function (d) { d.open = true; });
  });

  // Where a field is: the legends around it (「特例賛助会員の事業所」「2件目」).
  function placeOf(box) {
    var where = [];
    for (var e = box.parentElement; e && e !== form; e = e.parentElement) {
      var lg = e.tagName === "FIELDSET" && e.querySelector(":scope > legend");
      if (lg && lg.textContent) where.unshift(lg.textContent);
    }
    return where;
  }

  // For print: the inputs as a member filled them, beside the result.
  function printInputs(result) {
    printed.textContent = "";
    section.classList.toggle("calc-has-result", !!result);
    if (!result) return;
    var dl = el("dl", {});
    form.querySelectorAll(".calc-field").forEach(function (box) {
      var t = textOf(box);
      if (!visible(box) || t === "") return;
      var f = box._field, shown = t;
      if (f.kind === "enum") shown = f.options.filter(function (o) { return o[0] === t; })[0][1];
      dl.appendChild(el("dt", { text: placeOf(box).concat([f.label]).join(" ") }));
      dl.appendChild(el("dd", { text: shown + (f.unit && /\d$/.test(t) ? f.unit : "") }));
    });
    printed.appendChild(dl);
  }

  // --- wiring ------------------------------------------------------------------------
  function showEntry(name) {
    var entry = spec.entries[name];
    form.textContent = "";
    entry.fields.forEach(function (f) { form.appendChild(fieldBox(f, f.key, "")); });
    if (!entry.fields.length) form.appendChild(el("p", { className: "calc-hint", text: "入力する項目はありません。" }));
    clauseLine.textContent = entry.clause ? "根拠: " + entry.clause : "";
    say([]);
  }

  // history.replaceState fires no hashchange: only a link or a typed fragment does.
  function changed() {
    applyConditions();
    compute();
    var frag = "#" + fragment();
    if (location.hash !== frag) history.replaceState(null, "", frag);
    urlBox.value = location.href;
  }

  entrySel.addEventListener("change", function () { showEntry(entrySel.value); changed(); });
  form.addEventListener("input", changed);
  form.addEventListener("change", changed);
  form.addEventListener("submit", function (e) { e.preventDefault(); });
  window.addEventListener("hashchange", function () {
    if (fromFragment(location.hash)) { applyConditions(); compute(); urlBox.value = location.href; }
  });
  $("calc-copy").addEventListener("click", function () {
    var done = $("calc-copied");
    function ok() { done.textContent = "コピーしました"; }
    urlBox.value = location.href;
    if (navigator.clipboard && navigator.clipboard.writeText) {
      navigator.clipboard.writeText(location.href).then(ok, function () { urlBox.select(); if (document.execCommand("copy")) ok(); });
    } else {
      urlBox.select();
      if (document.execCommand("copy")) ok();
    }
  });

  var fromUrl = fromFragment(location.hash);
  if (!fromUrl) showEntry(entrySel.value);
  applyConditions();
  compute();
  urlBox.value = location.href;
  if (fromUrl) section.scrollIntoView();
})();
