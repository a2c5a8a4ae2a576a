"""The grammar ships inside the package: an installed feedsl works outside a checkout."""

import os
import subprocess
import sys
import textwrap
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_wheel_contains_grammar_and_works_without_checkout(tmp_path):
    """Build the wheel, unpack it elsewhere, and compile a regulation from there."""
    r = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(tmp_path), str(ROOT)],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    (wheel,) = tmp_path.glob("feedsl-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "feedsl/grammars/fee.lark" in names
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = textwrap.dedent(f"""
        import feedsl, feedsl.parse
        assert feedsl.__file__.startswith({str(site)!r}), feedsl.__file__
        m = feedsl.load({str(ROOT / 'regulations' / 'hokkaido_shakyo.fee')!r})
        print(m.municipal_levy(kind="city", households=60000, welfare_households=3000))
    """)
    # Run from an empty directory so the checkout is not importable.
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path,
                       env={"PYTHONPATH": str(site), "PATH": "", "XDG_CACHE_HOME": os.environ["XDG_CACHE_HOME"]})
    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == "180000"
