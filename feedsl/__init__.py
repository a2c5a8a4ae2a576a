"""feedsl: membership-fee regulations as code.

Write a regulation clause by clause in a ``.fee`` file; compile it to a plain
Python module of pure functions::

    import feedsl
    hokkaido = feedsl.load("regulations/hokkaido_shakyo.fee")
    hokkaido.municipal_fee(kind="city", population=25_000, households=12_340,
                           welfare_households=600, sdf_households=40)   # 244000

Importing feedsl does not import the parser: ``compile_*`` import it on first
use, ``load`` only when a file is not in the per-user cache of compiled modules
(:mod:`feedsl.loader`), and compiled modules need only :mod:`feedsl.runtime`.
"""

from __future__ import annotations

__version__ = "0.1.0"

from .runtime import FeeInputError

__all__ = [
    "FeeInputError",
    "FeeCompileError",
    "load",
    "compile_file",
    "compile_source",
    "check_file",
    "run_examples",
    "__version__",
]

_LAZY = {
    "FeeCompileError": ("feedsl.diagnostics", "FeeCompileError"),
    "load": ("feedsl.loader", "load"),
    "compile_file": ("feedsl.api", "compile_file"),
    "compile_source": ("feedsl.api", "compile_source"),
    "check_file": ("feedsl.api", "check_file"),
    "run_examples": ("feedsl.examples", "run_examples"),
}


def __getattr__(name: str):
    if name in _LAZY:
        import importlib

        mod, attr = _LAZY[name]
        value = getattr(importlib.import_module(mod), attr)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'feedsl' has no attribute {name!r}")
