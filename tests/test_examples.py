"""Every 例 line of every regulation under regulations/ holds for its compiled module."""

from pathlib import Path

import pytest

import feedsl

REGS = sorted((Path(__file__).resolve().parents[1] / "regulations").glob("*.fee"))


def _cases():
    for path in REGS:
        mod = feedsl.load(path)
        for ex in mod.__feedsl_ir__.examples:
            yield pytest.param(path, ex, id=f"{path.stem}:{ex.span.line if ex.span else '?'}:{ex.entry}")


@pytest.mark.parametrize("path, ex", list(_cases()))
def test_example(path, ex):
    """The 例 line's call gives its expected amount, or a FeeInputError for 入力エラー."""
    func = getattr(feedsl.load(path), ex.entry)
    kwargs = dict(ex.kwargs)
    if ex.expected is None:
        with pytest.raises(feedsl.FeeInputError):
            func(**kwargs)
    else:
        assert func(**kwargs) == ex.expected


def test_every_regulation_has_examples():
    """Each regulation file states at least one 例, so the test above checks something."""
    assert REGS
    for path in REGS:
        assert feedsl.load(path).__feedsl_ir__.examples, path
