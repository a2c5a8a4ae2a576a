"""The per-user cache of compiled modules behind ``feedsl.load`` (feedsl/loader.py).

Every test points ``XDG_CACHE_HOME`` at its own temporary directory. A "new
process" is simulated with ``loader.unload_all()`` (the in-process modules are
forgotten, the disk is not); one test runs real processes. Compiles are
counted by wrapping ``feedsl.api.compile_source``, which the loader calls on
a miss and never on a hit.
"""

import os
import pickle
import pwd
import shutil
import stat
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import pytest

import feedsl
import feedsl.api
from feedsl import loader
from feedsl.cli import main
from feedsl.source import SourceFile

ROOT = Path(__file__).resolve().parents[1]
FEE = "規程 t 「t」\n規則 fee 「会費」 [1] = 1,000円\n"
IS_ROOT = hasattr(os, "geteuid") and os.geteuid() == 0


def _nobody() -> int:
    try:
        return pwd.getpwnam("nobody").pw_uid
    except KeyError:
        return 65534


@pytest.fixture
def cache(tmp_path, monkeypatch):
    """A private XDG_CACHE_HOME; yields the feedsl cache directory inside it."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    loader.unload_all()
    yield tmp_path / "xdg" / "feedsl"
    loader.unload_all()


@pytest.fixture
def compiles(monkeypatch):
    """The paths compiled by the real compiler during the test."""
    calls = []
    real = feedsl.api.compile_source

    def counting(src):
        calls.append(src.path)
        return real(src)

    monkeypatch.setattr(feedsl.api, "compile_source", counting)
    return calls


def fee_file(tmp_path, text=FEE, name="t.fee") -> Path:
    p = tmp_path / name
    p.write_text(text, "utf-8")
    return p


def entries(d: Path) -> list[str]:
    return sorted(os.listdir(d)) if d.exists() else []


def plant(d: Path, path: Path, marker: Path) -> None:
    """Write a well-formed entry for ``path``'s current text whose code would touch ``marker``
    and make ``fee()`` return 9,999: written by the loader's own writer, so it differs from
    a genuine entry only in what the test does to it afterwards."""
    d.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = loader._key(str(path), path.read_text("utf-8"))
    code = compile(f"open({str(marker)!r}, 'w').close()\ndef fee():\n    return 9999\n", "planted", "exec")
    fd = os.open(d, os.O_RDONLY)
    try:
        loader._write_entry(fd, key, "t", "# planted\n", code)
    finally:
        os.close(fd)
    assert (d / f"{key.hex()}.bin").exists()


# --- hit, miss, invalidation --------------------------------------------------

def test_miss_compiles_and_writes_a_private_entry(cache, compiles, tmp_path):
    """A first load compiles once and writes <key>.py and <key>.bin, 0600, in a 0700 directory."""
    p = fee_file(tmp_path)
    m = feedsl.load(p)
    assert m.fee() == 1000 and compiles == [str(p)]
    names = entries(cache)
    assert len(names) == 2 and {n.split(".")[1] for n in names} == {"py", "bin"}
    assert stat.S_IMODE(cache.stat().st_mode) == 0o700
    for n in names:
        assert stat.S_IMODE((cache / n).stat().st_mode) == 0o600


def test_hit_in_a_new_process_does_not_compile(cache, compiles, tmp_path):
    """After the in-process modules are forgotten, loading the unchanged file reads the entry: no compile."""
    p = fee_file(tmp_path)
    feedsl.load(p)
    loader.unload_all()
    m = feedsl.load(p)
    assert m.fee() == 1000 and compiles == [str(p)]
    assert m.__name__.startswith("feedsl._generated.t_") and m.__file__.startswith(str(cache))


def test_editing_the_file_invalidates(cache, compiles, tmp_path):
    """An edited file is compiled again and gets its own entry; the old text still hits its own."""
    p = fee_file(tmp_path)
    assert feedsl.load(p).fee() == 1000
    p.write_text(FEE.replace("1,000円", "2,000円"), "utf-8")
    loader.unload_all()
    assert feedsl.load(p).fee() == 2000
    assert len(compiles) == 2 and len(entries(cache)) == 4


def test_fingerprint_follows_the_bytes_of_compiler_and_grammar(tmp_path):
    """The fingerprint of a copy of the compiler equals the original's, and changes when one
    compiler file or the grammar changes by a comment, though feedsl.__version__ does not."""
    pkg = tmp_path / "feedsl"
    shutil.copytree(ROOT / "feedsl", pkg, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(ROOT / "grammars", tmp_path / "grammars")
    base = loader.compiler_fingerprint(str(pkg))
    assert base == loader.compiler_fingerprint()
    gen = pkg / "codegen" / "python.py"
    original = gen.read_bytes()
    gen.write_bytes(original + b"# a comment\n")
    assert loader.compiler_fingerprint(str(pkg)) != base
    gen.write_bytes(original)
    assert loader.compiler_fingerprint(str(pkg)) == base
    (tmp_path / "grammars" / "fee.lark").write_text("// x\n" + (ROOT / "grammars" / "fee.lark").read_text("utf-8"))
    assert loader.compiler_fingerprint(str(pkg)) != base


def test_a_different_compiler_fingerprint_misses(cache, compiles, tmp_path, monkeypatch):
    """An entry written by another compiler (another fingerprint) is not used for the same text."""
    p = fee_file(tmp_path)
    feedsl.load(p)
    real = loader._key(str(p), FEE)
    loader.unload_all()
    monkeypatch.setattr(loader, "_fingerprint", bytes(32))
    assert loader._key(str(p), FEE) != real
    assert feedsl.load(p).fee() == 1000 and len(compiles) == 2


def test_key_covers_the_path_the_generated_code_names(cache, tmp_path):
    """Two paths with the same text get separate modules, each naming its own file."""
    a, b = fee_file(tmp_path, name="a.fee"), fee_file(tmp_path, name="b.fee")
    ma, mb = feedsl.load(a), feedsl.load(b)
    loader.unload_all()
    mb2 = feedsl.load(b)
    assert ma is not mb and str(b) in mb2.__doc__ and str(a) not in mb2.__doc__


# --- entries that must not be used --------------------------------------------

def _truncate(f: Path):
    f.write_bytes(f.read_bytes()[: f.stat().st_size // 2])


def _flip_payload_byte(f: Path):
    data = bytearray(f.read_bytes())
    data[-10] ^= 0xFF
    f.write_bytes(bytes(data))


def _garbage(f: Path):
    f.write_bytes(b"\0garbage" * 100)


def _empty(f: Path):
    f.write_bytes(b"")


def _other_magic(f: Path):
    data = bytearray(f.read_bytes())
    data[0] ^= 0xFF
    f.write_bytes(bytes(data))


@pytest.mark.parametrize("damage", [_truncate, _flip_payload_byte, _garbage, _empty, _other_magic])
def test_damaged_entry_is_ignored_and_rebuilt(cache, compiles, tmp_path, damage):
    """A truncated, corrupted, empty or other-Python entry is recompiled, rewritten whole, and then hits."""
    p = fee_file(tmp_path)
    feedsl.load(p)
    (entry,) = cache.glob("*.bin")
    good = entry.read_bytes()
    damage(entry)
    loader.unload_all()
    assert feedsl.load(p).fee() == 1000 and len(compiles) == 2
    assert entry.read_bytes() == good
    loader.unload_all()
    feedsl.load(p)
    assert len(compiles) == 2


def test_entry_of_another_text_under_this_key_is_ignored(cache, compiles, tmp_path):
    """A well-formed entry for 2,000円 copied under the 1,000円 file's name is refused (its header
    carries its own key): the 1,000円 file never runs the other file's code."""
    p = fee_file(tmp_path)
    feedsl.load(p)
    q = fee_file(tmp_path, FEE.replace("1,000円", "2,000円"), name="q.fee")
    feedsl.load(q)
    key_p = loader._key(str(p), FEE).hex()
    key_q = loader._key(str(q), q.read_text("utf-8")).hex()
    shutil.copyfile(cache / f"{key_q}.bin", cache / f"{key_p}.bin")
    loader.unload_all()
    assert feedsl.load(p).fee() == 1000 and len(compiles) == 3


def test_planted_entry_owned_by_us_is_used_control(cache, tmp_path):
    """Control for the planted-entry tests: the same planted entry, left as the writer made it,
    is used -- so when those tests see 1,000円 it is because of what they changed."""
    p = fee_file(tmp_path)
    marker = tmp_path / "ran"
    plant(cache, p, marker)
    assert feedsl.load(p).fee() == 9999 and marker.exists()


def test_entry_readable_by_others_is_ignored(cache, compiles, tmp_path):
    """A planted entry with mode 0644 (group/other bits set) is not executed."""
    p = fee_file(tmp_path)
    marker = tmp_path / "ran"
    plant(cache, p, marker)
    for f in cache.glob("*.bin"):
        f.chmod(0o644)
    assert feedsl.load(p).fee() == 1000 and not marker.exists() and len(compiles) == 1


@pytest.mark.skipif(not IS_ROOT, reason="chown to another user needs root (CI runs as root)")
def test_entry_owned_by_another_user_is_ignored(cache, compiles, tmp_path):
    """A well-formed entry owned by nobody is not executed, and is replaced by our own."""
    p = fee_file(tmp_path)
    marker = tmp_path / "ran"
    plant(cache, p, marker)
    (entry,) = cache.glob("*.bin")
    os.chown(entry, _nobody(), _nobody())
    assert feedsl.load(p).fee() == 1000 and not marker.exists() and len(compiles) == 1
    assert entry.stat().st_uid == os.geteuid()


def test_entry_that_is_a_symlink_is_ignored(cache, compiles, tmp_path):
    """An entry name that is a symlink to a well-formed entry elsewhere is not followed."""
    p = fee_file(tmp_path)
    marker = tmp_path / "ran"
    elsewhere = tmp_path / "elsewhere"
    plant(elsewhere, p, marker)
    cache.mkdir(parents=True, mode=0o700)
    for f in elsewhere.glob("*.bin"):
        (cache / f.name).symlink_to(f)
    assert feedsl.load(p).fee() == 1000 and not marker.exists()


# --- directories that must not be used ----------------------------------------

def _assert_not_used(cache, p, marker, before):
    m = feedsl.load(p)
    assert m.fee() == 1000 and not marker.exists()
    assert m.__file__ == f"<feedsl {p}>"
    assert entries(cache) == before  # nothing written there either


@pytest.mark.skipif(not IS_ROOT, reason="chown to another user needs root (CI runs as root)")
def test_directory_owned_by_another_user_is_not_used(cache, tmp_path):
    """A cache directory owned by nobody is neither read nor written; load still works."""
    p = fee_file(tmp_path)
    marker = tmp_path / "ran"
    plant(cache, p, marker)
    os.chown(cache, _nobody(), _nobody())
    _assert_not_used(cache, p, marker, entries(cache))


@pytest.mark.parametrize("mode", [0o770, 0o702])
def test_directory_writable_by_group_or_others_is_not_used(cache, tmp_path, mode):
    """A cache directory others could write to (g+w or o+w) is neither read nor written."""
    p = fee_file(tmp_path)
    marker = tmp_path / "ran"
    plant(cache, p, marker)
    cache.chmod(mode)
    _assert_not_used(cache, p, marker, entries(cache))


def test_symlinked_directory_is_refused(cache, tmp_path):
    """A cache directory that is a symlink (even to a private directory of ours) is not used."""
    p = fee_file(tmp_path)
    marker = tmp_path / "ran"
    target = tmp_path / "target"
    plant(target, p, marker)
    cache.parent.mkdir(parents=True)
    cache.symlink_to(target, target_is_directory=True)
    before = entries(target)
    m = feedsl.load(p)
    assert m.fee() == 1000 and not marker.exists() and entries(target) == before
    assert "シンボリックリンク" in loader.cache_problem()[0]


def test_uncreatable_directory_means_no_cache(tmp_path, monkeypatch, compiles):
    """When the cache directory cannot be created (its parent is a file), load compiles in memory."""
    (tmp_path / "file").write_text("x")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "file"))
    loader.unload_all()
    p = fee_file(tmp_path)
    try:
        m = feedsl.load(p)
        assert m.fee() == 1000 and m.__file__ == f"<feedsl {p}>"
        import linecache  # tracebacks still show the generated lines

        assert linecache.getline(m.__file__, m.fee.__code__.co_firstlineno).startswith("def fee")
    finally:
        loader.unload_all()


@pytest.mark.skipif(IS_ROOT, reason="root writes to a read-only directory anyway")
def test_read_only_directory_means_no_cache(cache, tmp_path):
    """A cache directory without write permission: load still works, nothing is written."""
    cache.mkdir(parents=True, mode=0o500)
    p = fee_file(tmp_path)
    try:
        assert feedsl.load(p).fee() == 1000 and entries(cache) == []
    finally:
        cache.chmod(0o700)


def test_relative_xdg_cache_home_is_ignored(monkeypatch):
    """A relative XDG_CACHE_HOME is ignored (XDG spec): the default ~/.cache/feedsl is used."""
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/dir")
    monkeypatch.setenv("HOME", "/home/someone")
    assert loader.cache_dir() == "/home/someone/.cache/feedsl"
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert loader.cache_dir() == "/home/someone/.cache/feedsl"


# --- atomic writes ------------------------------------------------------------

def test_failed_write_leaves_no_temporary_file(cache, tmp_path, monkeypatch):
    """If the final rename fails (disk full, ...) the load still works and no temp file remains."""
    real = os.replace

    def failing(*a, **k):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", failing)
    p = fee_file(tmp_path)
    assert feedsl.load(p).fee() == 1000
    monkeypatch.setattr(os, "replace", real)
    assert entries(cache) == []


def test_written_entry_leaves_no_temporary_file(cache, tmp_path):
    """A successful load leaves exactly the entry's two files: the temporary ones were renamed."""
    p = fee_file(tmp_path)
    feedsl.load(p)
    key = loader._key(str(p), FEE).hex()
    assert entries(cache) == [f"{key}.bin", f"{key}.py"]


# --- what a warm load imports; lazy compiler attributes -----------------------

def test_warm_load_does_not_import_the_compiler(cache):
    """In a new process with a warm cache, load + one Hokkaido quote imports no lark, jinja2,
    attrs or compiler module; __feedsl_ir__/__feedsl_source__ still work when asked for."""
    hokkaido = str(ROOT / "regulations" / "hokkaido_shakyo.fee")
    feedsl.load(hokkaido)  # fills the cache (this process has the compiler loaded already)
    code = textwrap.dedent(f"""
        import sys, feedsl
        m = feedsl.load({hokkaido!r})
        fee = m.municipal_fee(kind="city", population=25000, households=12340,
                              welfare_households=600, sdf_households=40)
        banned = ("lark", "jinja2", "attr", "attrs", "feedsl.check", "feedsl.parse", "feedsl.build",
                  "feedsl.codegen", "feedsl.api", "feedsl.ir", "feedsl.diagnostics", "feedsl.source")
        bad = sorted(n for n in sys.modules if n in banned or n.startswith(tuple(b + "." for b in banned)))
        print(fee, bad)
        print(m.__feedsl_ir__.name, m.__feedsl_source__ == open(m.__file__, encoding="utf-8").read())
    """)
    warm = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=dict(os.environ),
                          capture_output=True, text=True)
    assert warm.returncode == 0, warm.stderr
    assert warm.stdout.split("\n")[:2] == ["244000 []", "hokkaido_shakyo True"]


def test_warm_module_computes_ir_and_source_on_first_access(cache, compiles, tmp_path):
    """A warm-loaded module has no __feedsl_ir__ until asked; then it is the file's IR, computed once."""
    p = fee_file(tmp_path)
    fresh = feedsl.load(p)
    loader.unload_all()
    m = feedsl.load(p)
    assert "__feedsl_ir__" not in vars(m) and len(compiles) == 1
    assert list(m.__feedsl_ir__.rules) == ["fee"] and m.__feedsl_source__ == fresh.__feedsl_source__
    assert m.__feedsl_ir__ is m.__feedsl_ir__ and len(compiles) == 2
    with pytest.raises(AttributeError):
        m.no_such_rule


def test_warm_module_tracebacks_show_generated_lines(cache, tmp_path):
    """Tracebacks through a warm-loaded module show its source lines (read from the entry's .py)."""
    import linecache

    p = fee_file(tmp_path)
    feedsl.load(p)
    loader.unload_all()
    linecache.clearcache()
    m = feedsl.load(p)
    assert linecache.getline(m.fee.__code__.co_filename, m.fee.__code__.co_firstlineno).startswith("def fee")


def test_read_errors_are_the_usual_compile_errors(cache, tmp_path):
    """A missing file (F004) or a non-UTF-8 file (F003) raises the FeeCompileError read_source gives."""
    sjis = tmp_path / "sjis.fee"
    sjis.write_bytes("規程 t 「会費」\n".encode("shift_jis"))
    for path, code in ((tmp_path / "missing.fee", "F004"), (sjis, "F003")):
        with pytest.raises(feedsl.FeeCompileError) as got:
            feedsl.load(path)
        with pytest.raises(feedsl.FeeCompileError) as expected:
            feedsl.api.read_source(path)
        assert [d.code for d in got.value.diagnostics] == [code]
        assert str(got.value) == str(expected.value)


def test_text_is_read_as_the_compiler_reads_it(tmp_path):
    """The loader's reading (BOM dropped, CRLF and CR made LF) equals SourceFile.read's, so the key
    covers exactly the text the compiler compiles."""
    p = tmp_path / "t.fee"
    p.write_bytes(b"\xef\xbb\xbf" + FEE.replace("\n", "\r\n").encode() + b"\xe6\xb3\xa8\r")
    assert loader._read_text(p) == SourceFile.read(p).text


def test_broken_file_writes_no_entry(cache, tmp_path):
    """A file with errors raises FeeCompileError (file:line:col) and leaves nothing in the cache."""
    p = fee_file(tmp_path, "規程 t 「t」\n規則 fee 「会費」 [1] = 1,000円 + 3人\n")
    with pytest.raises(feedsl.FeeCompileError) as e:
        feedsl.load(p)
    assert f"{p}:2:" in str(e.value)
    assert not list(cache.glob("*.bin"))


# --- in one process: pickling, threads, bound ---------------------------------

def test_enum_values_and_records_pickle(cache):
    """Hyogo's facility kind and a facility record survive pickle.dumps/loads, warm or fresh."""
    hyogo = ROOT / "regulations" / "hyogo_roufuku.fee"
    for _ in ("fresh", "warm"):
        m = feedsl.load(hyogo)
        kind = m.FacilityKind.low_cost_home
        record = m.Facility(kind=kind, capacity=50, short_stay=4)
        assert pickle.loads(pickle.dumps(kind)) is kind
        back = pickle.loads(pickle.dumps(record))
        assert back == record and type(back) is m.Facility
        assert m.standard_fee(facility=back) == m.standard_fee(facility=record)
        loader.unload_all()


def test_threads_loading_one_file_get_one_module(cache, compiles, tmp_path):
    """8 threads released together by a barrier load one file: one compile, one module object --
    for a miss and again for a warm hit in a new process."""
    p = fee_file(tmp_path)
    for expected_compiles in (1, 1):
        barrier = threading.Barrier(8)
        got = [None] * 8

        def work(i):
            barrier.wait()
            got[i] = feedsl.load(p)

        threads = [threading.Thread(target=work, args=(i,)) for i in range(8)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert all(m is got[0] for m in got) and len(compiles) == expected_compiles
        assert sys.modules[got[0].__name__] is got[0]
        loader.unload_all()


def test_loaded_modules_are_bounded_least_recently_used_first(cache, tmp_path, monkeypatch):
    """With a bound of 2, loading a third file evicts the least recently used one, which also
    leaves sys.modules; loading it again gives a new module."""
    monkeypatch.setattr(loader, "MAX_LOADED", 2)
    a, b, c = (fee_file(tmp_path, FEE.replace("1,000", n), name=f"{n}.fee") for n in ("1", "2", "3"))
    ma, mb = feedsl.load(a), feedsl.load(b)
    assert feedsl.load(a) is ma  # a is now the most recently used
    mc = feedsl.load(c)
    assert mb.__name__ not in sys.modules
    assert sys.modules[ma.__name__] is ma and sys.modules[mc.__name__] is mc
    assert feedsl.load(a) is ma
    assert feedsl.load(b) is not mb and mc.__name__ not in sys.modules


# --- the command --------------------------------------------------------------

def test_cli_cache_path_and_clear(cache, tmp_path, capsys):
    """`feedsl cache --path` prints the directory; `--clear` removes feedsl's entries and leftover
    temporary files, and leaves other files alone."""
    assert main(["cache", "--path"]) == 0
    assert capsys.readouterr().out.strip() == str(cache)
    feedsl.load(fee_file(tmp_path))
    (cache / ".tmp-123-abc").write_bytes(b"")
    (cache / "notes.txt").write_text("mine")
    assert main(["cache", "--clear"]) == 0
    out = capsys.readouterr().out
    assert "3" in out and entries(cache) == ["notes.txt"]


def test_cli_cache_says_when_the_directory_is_not_used(cache, capsys):
    """`feedsl cache --path` warns (ja / en) when the directory would not be used, and why."""
    cache.mkdir(parents=True, mode=0o700)
    cache.chmod(0o777)
    assert main(["cache", "--path"]) == 0
    err = capsys.readouterr().err
    assert "使われていません" in err and "group or others can write" in err
