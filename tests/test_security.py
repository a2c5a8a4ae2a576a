"""Nothing feedsl reads is unpickled from, or written into, the shared temp directory.

Lark's ``cache=True`` keeps the parse tables as a pickle at a predictable name in
``tempfile.gettempdir()``: another local user who plants a file there runs code as
whoever runs ``feedsl check`` or ``feedsl.load``, and a planted symlink makes the
run overwrite the link's target. These tests plant both at exactly the name Lark
would use for our grammar and run feedsl against that temp directory.
"""

import os
import pickle
import pwd
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
from lark import Lark

import feedsl.parse
from feedsl.parse import PARSER_OPTIONS, FeeIndenter, grammar_text

ROOT = Path(__file__).resolve().parents[1]
HOKKAIDO = ROOT / "regulations" / "hokkaido_shakyo.fee"

# README example, worked by hand: base households 12,340 − 600 − 40 = 11,700;
# 11,700 × 14円 = 163,800円 → 164,000円 (1,000円未満四捨五入); a city of 25,000人
# falls in 「3万人以下」 → 均等割 80,000円; 164,000 + 80,000 = 244,000円.
LOAD_AND_QUOTE = (
    "import sys, feedsl\n"
    "m = feedsl.load(sys.argv[1])\n"
    "print(m.municipal_fee(kind='city', population=25_000, households=12_340,"
    " welfare_households=600, sdf_households=40))\n"
)


def _feedsl_command() -> list[str]:
    script = Path(sys.executable).with_name("feedsl")
    return [str(script)] if script.exists() else [sys.executable, "-m", "feedsl"]


COMMANDS = {
    "feedsl check": (_feedsl_command() + ["check", str(HOKKAIDO)], "エラー 0 件"),
    "feedsl.load": ([sys.executable, "-c", LOAD_AND_QUOTE, str(HOKKAIDO)], "244000"),
}


@pytest.fixture(scope="module")
def lark_cache_file(tmp_path_factory, request):
    """What Lark's cache=True writes for our grammar: (file name, first line).

    Lark computes the name itself: we build the parser once the way feedsl used to
    (``cache=True`` with our grammar and options) with a private scratch directory as
    the temp directory, and read back the one file Lark created there.
    """
    scratch = tmp_path_factory.mktemp("lark-scratch")
    saved = tempfile.tempdir
    tempfile.tempdir = str(scratch)
    try:
        Lark(grammar_text(), postlex=FeeIndenter(), cache=True, **PARSER_OPTIONS)
    finally:
        tempfile.tempdir = saved
    (made,) = scratch.iterdir()
    assert made.name.startswith(".lark_cache_")
    return made.name, made.read_bytes().split(b"\n", 1)[0]


class _Plant:
    """Unpickling this creates the marker file: proof that a planted pickle ran."""

    def __init__(self, marker: str):
        self.marker = marker

    def __reduce__(self):
        return (open, (self.marker, "w"))


def _nobody() -> tuple[int, int] | None:
    if os.geteuid() != 0:
        return None
    pw = pwd.getpwnam("nobody")
    return pw.pw_uid, pw.pw_gid


def _plant_pickle(shared: Path, name: str, first_line: bytes, marker: Path) -> Path:
    """A malicious cache file as another user would leave it: Lark's header line,
    then a pickle that creates ``marker`` when loaded; owned by nobody."""
    planted = shared / name
    planted.write_bytes(first_line + b"\n" + pickle.dumps(_Plant(str(marker))))
    planted.chmod(0o644)
    owner = _nobody()
    if owner:
        os.chown(planted, *owner)
    return planted


def _plant_symlink(shared: Path, name: str, target: Path) -> Path:
    link = shared / name
    link.symlink_to(target)
    owner = _nobody()
    if owner:
        os.lchown(link, *owner)
    return link


def _run(cmd: list[str], shared: Path, tmp_path: Path) -> subprocess.CompletedProcess:
    env = dict(os.environ, TMPDIR=str(shared), XDG_CACHE_HOME=str(tmp_path / "xdg-cache"))
    return subprocess.run(cmd, capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)


def _shared_dir(tmp_path: Path) -> Path:
    """A fresh world-writable, sticky directory, like /tmp."""
    shared = tmp_path / "shared-tmp"
    shared.mkdir()
    shared.chmod(0o1777)
    return shared


@pytest.mark.parametrize("what", COMMANDS)
def test_planted_pickle_in_tmpdir_is_never_unpickled(what, tmp_path, lark_cache_file):
    """A pickle planted by another user at Lark's cache name in TMPDIR is not loaded:
    the command succeeds with the right output and the pickle's marker never appears."""
    cmd, expected = COMMANDS[what]
    shared = _shared_dir(tmp_path)
    marker = tmp_path / "PLANTED_PICKLE_RAN"
    name, first_line = lark_cache_file
    _plant_pickle(shared, name, first_line, marker)

    r = _run(cmd, shared, tmp_path)

    assert not marker.exists(), f"{what} unpickled a file planted in TMPDIR"
    assert r.returncode == 0, r.stderr
    assert expected in r.stdout


@pytest.mark.parametrize("what", COMMANDS)
def test_planted_symlink_in_tmpdir_is_not_followed(what, tmp_path, lark_cache_file):
    """A symlink planted at Lark's cache name pointing at another file: the target
    keeps its content and the command leaves nothing new in TMPDIR."""
    cmd, expected = COMMANDS[what]
    shared = _shared_dir(tmp_path)
    target = tmp_path / "victim.txt"
    target.write_text("someone's precious file\n", "utf-8")
    name, _ = lark_cache_file
    link = _plant_symlink(shared, name, target)
    before = sorted(os.listdir(shared))

    r = _run(cmd, shared, tmp_path)

    assert target.read_bytes() == b"someone's precious file\n", "the symlink's target was overwritten"
    assert os.readlink(link) == str(target)
    assert sorted(os.listdir(shared)) == before
    assert r.returncode == 0, r.stderr
    assert expected in r.stdout


def test_fallback_build_uses_no_temp_cache_either(tmp_path, lark_cache_file, monkeypatch):
    """When the shipped tables do not match the grammar (a developer editing fee.lark),
    the parser is built in memory: the planted pickle is not loaded and nothing is
    written to the temp directory."""
    shared = _shared_dir(tmp_path)
    marker = tmp_path / "PLANTED_PICKLE_RAN"
    name, first_line = lark_cache_file
    _plant_pickle(shared, name, first_line, marker)
    before = {f.name: f.read_bytes() for f in shared.iterdir()}
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    monkeypatch.setattr(feedsl.parse, "grammar_text", lambda: grammar_text() + "\n// edited in a checkout\n")

    built = feedsl.parse.parser.__wrapped__()

    assert not marker.exists(), "the fallback build unpickled a file planted in TMPDIR"
    assert {f.name: f.read_bytes() for f in shared.iterdir()} == before
    assert feedsl.parse.table_parser() is None  # the path taken was the fallback
    assert built.parse("規程 t 「t」\n", start="start").data == "start"
