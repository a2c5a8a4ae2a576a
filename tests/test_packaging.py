"""The grammar and its parse tables ship inside the package: an installed feedsl
works outside a checkout, loading the tables instead of building them."""

import os
import shutil
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_grammar_and_works_without_checkout(tmp_path):
    """Build the wheel, unpack it elsewhere, and compile a regulation from there: the
    parser comes from the shipped tables and nothing is written to the temp directory."""
    # Build from a clean copy: setuptools reuses the tree's build/lib, where files from an
    # earlier build would hide package data that pyproject.toml no longer lists.
    src = tmp_path / "src"
    shutil.copytree(ROOT, src, ignore=shutil.ignore_patterns(
        ".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache", ".hypothesis"))
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(src)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (wheel,) = tmp_path.glob("feedsl-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "feedsl/grammars/fee.lark" in names
    assert "feedsl/grammars/fee.tables.json" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = textwrap.dedent(f"""
        import feedsl, feedsl.parse
        assert feedsl.__file__.startswith({str(site)!r}), feedsl.__file__
        def no_build():
            raise AssertionError("built the parser from the grammar instead of loading the tables")
        feedsl.parse.build_parser = no_build
        m = feedsl.load({str(ROOT / 'regulations' / 'hokkaido_shakyo.fee')!r})
        print(m.municipal_levy(kind="city", households=60000, welfare_households=3000))
    """)
    # Run from an empty directory so the checkout is not importable.
    shared_tmp = tmp_path / "tmpdir"
    shared_tmp.mkdir()
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                       env={"PYTHONPATH": str(site), "PATH": "", "TMPDIR": str(shared_tmp),
                            "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "180000"
    assert list(shared_tmp.iterdir()) == []
