// Runs generated feedsl scripts on a batch of calls, for tests/test_javascript.py.
// stdin: {"scripts": [source, ...], "calls": [{"reg", "entry", "args"} | {"reg", "read", "text", "entry"?} | {"reg", "meta"}]}
// stdout: one JSON result per call, in order: {"value", "text"} | {"error": [input, message]} | {"crash"}.
// Arguments arrive tagged: {"$int": "digits"} → BigInt, {"$frac": [n, d]} → a runtime Frac,
// {"$text": "75%"} → the string (a rate typed as text); everything else as JSON gives it.
"use strict";
const vm = require("vm");

const input = JSON.parse(require("fs").readFileSync(0, "utf8"));
for (const src of input.scripts) vm.runInThisContext(src);
const rt = globalThis.feedsl.runtime;

function decode(v) {
  if (Array.isArray(v)) return v.map(decode);
  if (v !== null && typeof v === "object") {
    if ("$int" in v) return BigInt(v.$int);
    if ("$frac" in v) return new rt.Frac(BigInt(v.$frac[0]), BigInt(v.$frac[1]));
    if ("$text" in v) return v.$text;
    const out = {};
    for (const k of Object.keys(v)) out[k] = decode(v[k]);
    return out;
  }
  return v;
}
function encode(v) {
  if (typeof v === "bigint") return { $int: v.toString() };
  if (v instanceof rt.Frac) return { $frac: rt.exactText(v) };
  if (Array.isArray(v)) return v.map(encode);
  if (v !== null && typeof v === "object") {
    const out = {};
    for (const k of Object.keys(v)) out[k] = encode(v[k]);
    return out;
  }
  return v;
}
const out = [];
for (const call of input.calls) {
  const R = globalThis.feedsl[call.reg];
  try {
    if ("meta" in call) {
      out.push({ value: R[call.meta] });
    } else if ("read" in call) {
      out.push({ value: encode(R.read(call.read, call.text, call.entry)) });
    } else {
      const r = R.entries[call.entry](decode(call.args));
      out.push({ value: encode(r.value), text: r.text, breakdown: r.breakdown });
    }
  } catch (e) {
    if (e instanceof rt.FeeInputError) out.push({ error: [e.input, e.message] });
    else out.push({ crash: String(e && e.stack || e) });
  }
}
process.stdout.write(JSON.stringify(out));
