"""Spellings: the variants of a word the language accepts, and "did you mean".

Two jobs, both about what authors actually type:

* :data:`ROUNDING_SPELLINGS` — regulations write 切捨て, 切捨, 切上げ … as often
  as 切り捨て and 切り上げ; the grammar accepts them and the builder maps them
  to the one canonical word, so everything after the parser sees one word.
* :func:`near_keywords` / :func:`near_names` — the keyword or name an author
  most likely meant when the parser or the checker meets a word it does not
  know: a look-alike character from the IME (入カ with katakana カ for 入力),
  a homophone (規側 for 規則), a word with one character off (位上 for 以上),
  or a word that means the keyword but is not it (により for による).

Standard library only: the parser imports it for every syntax error.
"""

from __future__ import annotations

import difflib
import re

# Accepted spellings of the rounding functions → the canonical word.
ROUNDING_SPELLINGS = {
    "切捨て": "切り捨て", "切捨": "切り捨て",
    "切上げ": "切り上げ", "切上": "切り上げ",
}

# Words with the meaning of a keyword that an author plausibly writes in its
# place (not misspellings, so no edit distance finds them).
_SYNONYMS = {
    "により": "による", "によって": "による", "に応じて": "による", "による": "による",
    "ごと": "別", "毎": "別", "ごとに": "別",
    "以内": "以下", "以降": "以上", "より大きい": "超", "を超える": "超", "より小さい": "未満",
    "その他": "それ以外", "以外": "それ以外", "上記以外": "それ以外",
    "又は": "または", "若しくは": "または", "もしくは": "または", "あるいは": "または",
    "且つ": "かつ", "及び": "かつ", "および": "かつ",
    "なら": "ならば", "の場合": "ならば", "のとき": "ならば",
    "でなければ": "そうでなければ", "それ以外は": "そうでなければ", "そうでない場合": "そうでなければ",
    "ではない": "でない", "でなく": "でない",
    "切り下げ": "切り捨て", "切下げ": "切り捨て", "切捨てる": "切り捨て", "切り捨てる": "切り捨て",
    "切り上げる": "切り上げ", "四捨五入する": "四捨五入",
    "最少": "最小", "越え": "超", "超え": "超", "越": "超",
    "最低": "最小", "最高": "最大", "最小値": "最小", "最大値": "最大",
    "規定": "規程", "ルール": "規則", "条件": "前提",
    "例え": "例", "例題": "例", "区別": "区分", "種別": "区分",
}

# Characters an IME or the eye confuses with the one in a keyword: katakana
# that look like kanji (カ/力, ロ/口, エ/工 …) and kanji of one reading (側/則).
_CONFUSABLE = str.maketrans({
    "カ": "力", "ロ": "口", "エ": "工", "ニ": "二", "ハ": "八", "タ": "夕", "ト": "卜",
    "ー": "一", "ヘ": "へ", "ベ": "べ", "ペ": "ぺ", "〜": "～", "~": "～",
    "側": "則", "測": "則", "即": "則", "会": "合", "遭": "合", "定": "程",
    "位": "以", "意": "以", "移": "以", "異": "以", "味": "未", "魅": "未",
    "列": "例", "令": "例", "人": "入", "八": "入", "駆": "区", "末": "未",
    "紀": "記", "緑": "録",
})

# A run of Japanese letters: where a misspelled keyword starts, how far it goes.
_WORD = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\u3005\u30f6]+")


def word_at(text: str, pos: int) -> str:
    """The run of kana/kanji that starts at ``pos`` of ``text`` ('' if none)."""
    m = _WORD.match(text, pos) if 0 <= pos < len(text) else None
    return m.group(0) if m else ""


def _distance(a: str, b: str) -> int:
    """Levenshtein distance (words here are a few characters long)."""
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def near_keywords(word: str, keywords) -> list[str]:
    """The keywords of ``keywords`` that ``word`` is most likely a slip for.

    Empty when ``word`` is itself one of them or nothing is close enough. In
    order: a synonym (により → による); the same word once look-alike characters
    are mapped (入カ → 入力, 規側 → 規則); else the keywords one edit away (two for
    words of five characters or more), prefixes of ``word`` included so that a
    keyword glued to the next word (以下10人) is still found. Ties are all given.
    """
    kws = sorted({k for k in keywords if k})
    if not word or word in kws:
        return []
    for cut in range(len(word), 0, -1):  # the longest synonym that starts the word
        syn = _SYNONYMS.get(word[:cut])
        if syn in kws:
            return [syn] if syn != word[:cut] else []
    norm = word.translate(_CONFUSABLE)
    same = [k for k in kws if k.translate(_CONFUSABLE) == norm]
    if same:
        return same
    best, found = None, []
    for k in kws:
        if len(k) < 2 and len(word) < 2:
            continue
        candidates = {norm} | {norm[:n] for n in range(max(1, len(k) - 1), len(k) + 2)}
        d = min(_distance(c, k.translate(_CONFUSABLE)) for c in candidates)
        limit = 2 if len(k) >= 5 else 1
        if d > limit or d >= len(k):
            continue
        if best is None or d < best:
            best, found = d, [k]
        elif d == best:
            found.append(k)
    return found


def near_names(name: str, candidates, n: int = 1) -> list[str]:
    """Names (rule, input, enum value, field) close to ``name``, best first:
    the same name in another case or with ``_`` dropped, then difflib's matches."""
    cands = list(dict.fromkeys(candidates))
    fold = name.lower().replace("_", "")
    same = [c for c in cands if c != name and c.lower().replace("_", "") == fold]
    if same:
        return same[:n]
    return difflib.get_close_matches(name, cands, n=n, cutoff=0.6)


def did_you_mean(words, ending: str = "ですか？") -> str:
    """「規則」ですか？ (several: 「以上」または「以下」ですか？); '' for none.
    Names are asked with ``ending="のことですか？"``, as the checker always has."""
    words = list(words)
    return "または".join(f"「{w}」" for w in words) + ending if words else ""


def did_you_mean_en(words) -> str:
    words = list(words)
    return "did you mean " + " or ".join(repr(w) for w in words) + "?" if words else ""


_BOUND_WORDS = ("以下", "以上", "未満", "超")


def glued_bound(text: str, unit: str, want: str) -> str:
    """``10人位上`` where 人 is wanted: a misspelled bound word right after the
    unit is read as part of the unit (人位上); returns the quantity as meant
    (``10人以上``), or '' when the unit is not the wanted one plus a near miss."""
    rest = unit[len(want):] if want and unit.startswith(want) else ""
    if not rest or not text.endswith(rest):
        return ""
    found = near_keywords(rest, _BOUND_WORDS)
    return text[: len(text) - len(rest)] + found[0] if len(found) == 1 else ""
