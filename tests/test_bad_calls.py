"""Every entry of the three regulations refuses bad calls with FeeInputError only.

Random values of every wrong kind (None, bool, float, str, negative, huge,
malformed dates, dicts with missing or unknown fields, lists of non-records,
positional arguments, unknown inputs) go to every compiled entry; the only
exception allowed out is feedsl.FeeInputError, and it names an input.
"""

import datetime
import inspect
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import feedsl

ROOT = Path(__file__).resolve().parents[1]
MODULES = [feedsl.load(p) for p in sorted((ROOT / "regulations").glob("*.fee"))]
ENTRIES = [(m, name) for m in MODULES for name in m.ENTRIES]

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.floats(allow_nan=True), st.text(max_size=12),
    st.integers(min_value=-10**6, max_value=10**30), st.fractions(),
    st.sampled_from(["city", "home_service", "2024-10-15", "2024-13-45", "", "special_nursing_home",
                     Fraction(-1, 2), datetime.date(2024, 4, 1), datetime.datetime(2024, 4, 1),
                     object(), b"bytes", 3 + 4j]),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.dictionaries(st.sampled_from(["kind", "capacity", "short_stay", "attached_home_service", "x"]),
                        inner, max_size=4),
    ),
    max_leaves=6,
)


@pytest.mark.parametrize("mod, name", ENTRIES, ids=[f"{m.REGULATION}.{n}" for m, n in ENTRIES])
@settings(max_examples=40, deadline=None, derandomize=True)
@given(data=st.data())
def test_bad_values_raise_only_fee_input_error(mod, name, data):
    """Random (mostly wrong) values for an entry's inputs raise FeeInputError or compute a fee."""
    fn = getattr(mod, name)
    params = list(inspect.signature(fn).parameters)
    kwargs = {p: data.draw(_VALUES, label=p) for p in params if data.draw(st.booleans(), label=f"give {p}")}
    if data.draw(st.booleans(), label="unknown input"):
        kwargs["no_such_input"] = 1
    args = (1,) if data.draw(st.integers(0, 9), label="positional") == 0 else ()
    try:
        fn(*args, **kwargs)
    except feedsl.FeeInputError as e:
        assert str(e) and isinstance(e, ValueError)
        assert e.input, f"{name}: FeeInputError without the input's name: {e}"
