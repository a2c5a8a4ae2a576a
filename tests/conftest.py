"""Shared test set-up: the whole suite uses a private, temporary feedsl cache.

``feedsl.load`` keeps compiled modules in ``$XDG_CACHE_HOME/feedsl``. Tests must
never read leftovers from, or write to, the real ``~/.cache``, so a temporary
``XDG_CACHE_HOME`` is set before collection (several test modules load
regulations at import time, before any fixture runs) and removed at the end.
Subprocesses inherit it. Tests of the cache itself set their own per test.
"""

import os
import shutil
import tempfile

_saved: dict[str, str | None] = {}


def pytest_configure(config):
    _saved["XDG_CACHE_HOME"] = os.environ.get("XDG_CACHE_HOME")
    _saved["dir"] = tempfile.mkdtemp(prefix="feedsl-test-cache-")
    os.environ["XDG_CACHE_HOME"] = _saved["dir"]


def pytest_unconfigure(config):
    old = _saved.pop("XDG_CACHE_HOME", None)
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old
    shutil.rmtree(_saved.pop("dir"), ignore_errors=True)
