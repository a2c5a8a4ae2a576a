"""``feedsl.load``: a ``.fee`` file as a module, from a private on-disk cache when possible.

A file loaded before by this same compiler is a *warm* load: one cache entry is
read and its marshalled code executed. That path imports the standard library
and what a compiled module imports itself (:mod:`feedsl.runtime`,
:mod:`feedsl.explanation`) -- never the parser, checker or code generators,
nor lark, attrs or jinja2. A miss imports the compiler
(:func:`feedsl.api.compile_source`), compiles, and writes the entry.

Where: ``$XDG_CACHE_HOME/feedsl`` (default ``~/.cache/feedsl``), created 0700.
It is used only while it is a real directory (not a symlink) owned by the
current user and not writable by group or others; otherwise loads compile in
memory, silently. An entry is used only if it is a regular file owned by the
user, with no group/other permission bits, whose header carries this Python's
bytecode magic, the expected key and a checksum of the payload that matches.
Anything else is ignored and rebuilt. The payload is ``marshal`` data (the
regulation's name and a code object) from a file only this user can write:
nothing is ever unpickled.

Key: sha256 of the compiler fingerprint (feedsl's version, the interpreter's
bytecode tag and the bytes of every file of the compiler and its grammar, so
an edit to the compiler invalidates entries even when the version does not
change), the file's path as given (the generated code names it) and its text.

A file with versions (版) has one module per selection (a version's text, or
one with its 経過措置 in force), keyed by the file's key and the selection's
name, and one more entry: its timeline (:meth:`feedsl.versions.Timeline.data`,
marshalled strings and integers), from which a warm ``load(path, as_of=…)``
picks the selection without the compiler.

In one process, modules are kept by key in a bounded LRU (:data:`MAX_LOADED`)
and registered in :data:`sys.modules` as ``feedsl._generated.<name>_<digest>``
so their enum values and records pickle; an evicted module leaves
``sys.modules`` too. Concurrent loads of one file return one module.
"""

from __future__ import annotations

import _thread
import marshal
import os
import stat
import sys

try:  # the interpreter's own bytecode magic, already loaded: importlib.util would cost ~2 ms more
    from _frozen_importlib_external import MAGIC_NUMBER
except ImportError:  # pragma: no cover - not CPython
    from importlib.util import MAGIC_NUMBER

from . import __version__, _generated  # noqa: F401  (the package loaded modules live in)

# The C hashes built into CPython: importing hashlib would load OpenSSL, which
# costs a warm load more (~5 ms) than these take to hash the compiler's files.
try:
    from _blake2 import blake2b
    try:
        from _sha256 import sha256  # Python 3.11
    except ImportError:  # pragma: no cover - Python ≥ 3.12
        from _sha2 import sha256
except ImportError:  # pragma: no cover - an interpreter built without them
    from hashlib import blake2b, sha256

__all__ = ["load", "cache_dir", "clear_cache", "cache_problem", "unload_all", "MAX_LOADED"]

#: How many loaded modules one process keeps (least recently loaded leaves first).
MAX_LOADED = 64

PACKAGE = "feedsl._generated"

# An entry: MAGIC_NUMBER, this tag (the entry format), the key, blake2b(payload), payload.
_TAG = b"feedsl-entry-1\n"
# A file with versions (版) also has an entry for its timeline (feedsl.versions.Timeline.data).
_TIMELINE_TAG = b"feedsl-timeline-1\n"
_PRIVATE_BITS = 0o077  # an entry must have none of these
_SHARED_WRITE = 0o022  # the directory must have none of these

_lock = _thread.allocate_lock()
_loaded: dict[bytes, object] = {}  # key -> module, least recently used first
_loading: dict[bytes, object] = {}  # key -> lock held while that key is being loaded
_timelines: dict[bytes, tuple] = {}  # a file's timeline key -> Timeline.data() (() for no versions)
_fingerprint: bytes | None = None
_CODE = type(compile("", "", "exec"))


# --- where ------------------------------------------------------------------

def cache_dir() -> str:
    """The cache directory: ``$XDG_CACHE_HOME/feedsl``, or ``~/.cache/feedsl``.

    A relative ``XDG_CACHE_HOME`` is ignored, as the XDG specification says.
    """
    base = os.environ.get("XDG_CACHE_HOME", "")
    if not os.path.isabs(base):
        base = os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "feedsl")


def _cannot_open(e: OSError) -> tuple[str, str]:
    return f"開けません（{e.strerror or e}）", f"cannot be opened ({e.strerror or e})"


def _open_dir(create: bool) -> tuple[int | None, tuple[str, str] | None]:
    """A descriptor of the cache directory if it may be used, else ``None`` and why
    (Japanese, English); ``None, None`` when it does not exist and ``create`` is false.

    Opened without following a symlink and checked on the descriptor itself,
    so the directory that is checked is the one that is used.
    """
    if not hasattr(os, "geteuid") or os.open not in os.supports_dir_fd:
        return None, ("この環境では使いません", "not on this platform")
    path = cache_dir()
    flags = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        if not create:
            return None, None
        try:
            os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
            os.mkdir(path, 0o700)
        except FileExistsError:
            pass
        except OSError as e:
            return None, (f"作れません（{e.strerror or e}）", f"cannot be created ({e.strerror or e})")
        try:
            fd = os.open(path, flags)
        except OSError as e:
            return None, _cannot_open(e)
    except OSError as e:  # a symlink (ELOOP), a file (ENOTDIR), no permission
        if os.path.islink(path):
            return None, ("シンボリックリンクです", "it is a symbolic link")
        return None, _cannot_open(e)
    st = os.fstat(fd)
    why = None
    if not stat.S_ISDIR(st.st_mode):
        why = ("ディレクトリではありません", "it is not a directory")
    elif st.st_uid != os.geteuid():
        why = (f"所有者が別のユーザーです（uid {st.st_uid}）", f"it is owned by another user (uid {st.st_uid})")
    elif st.st_mode & _SHARED_WRITE:
        mode = stat.filemode(st.st_mode)
        why = (f"グループか他のユーザーが書き込めます（{mode}）", f"group or others can write to it ({mode})")
    if why is not None:
        os.close(fd)
        return None, why
    return fd, None


def cache_problem() -> tuple[str, str] | None:
    """Why the cache directory is not used (Japanese, English), or ``None`` if it is."""
    fd, why = _open_dir(create=False)
    if fd is not None:
        os.close(fd)
    return why


def _is_entry_name(name: str) -> bool:
    stem, dot, ext = name.partition(".")
    if name.startswith(".tmp-"):
        return True
    return dot == "." and ext in ("py", "bin") and len(stem) == 64 and all(c in "0123456789abcdef" for c in stem)


def clear_cache() -> int:
    """Remove feedsl's entries (and leftover temporary files); return how many.

    Only in a directory the cache would use; other files there are left alone.
    """
    fd, _why = _open_dir(create=False)
    if fd is None:
        return 0
    removed = 0
    try:
        for name in os.listdir(fd):
            if _is_entry_name(name):
                try:
                    os.unlink(name, dir_fd=fd)
                    removed += 1
                except OSError:
                    pass
    finally:
        os.close(fd)
    return removed


# --- the key ----------------------------------------------------------------

def _compiler_files(package_dir: str) -> list[tuple[str, str]]:
    """(name, path) of every file whose bytes decide what the compiler emits."""
    found = []
    for root, dirs, files in os.walk(package_dir):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__" and not d.startswith("."))
        rel = os.path.relpath(root, package_dir)
        for f in sorted(files):
            if f.endswith((".py", ".lark")):
                found.append((os.path.normpath(os.path.join("feedsl", rel, f)), os.path.join(root, f)))
    # In a checkout the grammar lives beside the package (grammars/fee.lark).
    checkout = os.path.join(os.path.dirname(package_dir), "grammars", "fee.lark")
    if os.path.isfile(checkout):
        found.append(("grammars/fee.lark", checkout))
    return found


def compiler_fingerprint(package_dir: str | None = None) -> bytes:
    """A digest that changes whenever the compiler does, even at an unchanged version.

    Hashes ~280 kB: about 1 ms with blake2b, computed once per process.
    """
    if package_dir is None:
        package_dir = os.path.dirname(os.path.abspath(__file__))
    h = blake2b(digest_size=32)
    h.update(f"feedsl {__version__}\0{sys.implementation.cache_tag}\0".encode())
    h.update(MAGIC_NUMBER)
    for name, path in _compiler_files(package_dir):
        with open(path, "rb") as f:
            data = f.read()
        h.update(name.encode() + b"\0" + len(data).to_bytes(8, "little"))
        h.update(data)
    return h.digest()


def _key(shown_path: str, text: str, pick: str = "") -> bytes:
    """The key of a file's module; ``pick`` names a selection of a file with
    versions (a timeline key, or "版" for the file's timeline itself)."""
    global _fingerprint
    if _fingerprint is None:
        _fingerprint = compiler_fingerprint()
    h = sha256(_fingerprint)
    path = shown_path.encode("utf-8", "surrogateescape")
    h.update(len(path).to_bytes(8, "little") + path)
    h.update(text.encode())
    if pick:  # 0xff never occurs in UTF-8: no text can end like this
        h.update(b"\xff" + pick.encode())
    return h.digest()


# --- entries ----------------------------------------------------------------

def _read_payload(dfd: int, key: bytes, tag: bytes = b""):
    """The unmarshalled payload of a trustworthy, intact entry for ``key``, else None."""
    tag = tag or _TAG
    try:
        fd = os.open(key.hex() + ".bin", os.O_RDONLY | os.O_NOFOLLOW, dir_fd=dfd)
    except OSError:
        return None
    with open(fd, "rb") as f:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_uid != os.geteuid() or st.st_mode & _PRIVATE_BITS:
            return None
        data = f.read()
    m = len(MAGIC_NUMBER)
    t = m + len(tag)
    header = t + 64
    if (len(data) <= header or data[:m] != MAGIC_NUMBER or data[m:t] != tag
            or data[t:t + 32] != key):
        return None
    payload = data[header:]
    if blake2b(payload, digest_size=32).digest() != data[t + 32:header]:
        return None
    try:
        return marshal.loads(payload)
    except Exception:
        return None


def _read_entry(dfd: int, key: bytes):
    """(regulation name, code) from a trustworthy, intact entry for ``key``, else None."""
    value = _read_payload(dfd, key)
    if (type(value) is not tuple or len(value) != 2 or type(value[0]) is not str
            or not value[0].isidentifier() or type(value[1]) is not _CODE):
        return None
    return value


def _write_atomic(dfd: int, name: str, data: bytes) -> None:
    """Write a 0600 file so that readers see the old file or the whole new one."""
    tmp = f".tmp-{os.getpid()}-{os.urandom(8).hex()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600, dir_fd=dfd)
    try:
        with open(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, name, src_dir_fd=dfd, dst_dir_fd=dfd)
    except BaseException:
        try:
            os.unlink(tmp, dir_fd=dfd)
        except OSError:
            pass
        raise


def _write_entry(dfd: int, key: bytes, regulation: str, python: str, code) -> None:
    """Store the readable source (for tracebacks) and the marshalled code; failures mean no cache."""
    try:
        _write_atomic(dfd, key.hex() + ".py", python.encode("utf-8"))
        _write_payload(dfd, key, _TAG, (regulation, code))
    except (OSError, ValueError):  # a full or read-only disk; code too deep to marshal
        pass


def _write_payload(dfd: int, key: bytes, tag: bytes, value) -> None:
    payload = marshal.dumps(value)
    _write_atomic(dfd, key.hex() + ".bin",
                  MAGIC_NUMBER + tag + key + blake2b(payload, digest_size=32).digest() + payload)


# --- modules ----------------------------------------------------------------

_last_compiled: list = []  # [(shown_path, text), Compiled]: the last file with 版 compiled


def _compile(shown_path: str, text: str, pick: str = ""):
    """Compile with the real compiler; FeeCompileError (with the source shown) on errors.

    ``pick``: the selection of a file with versions. Compiling one checks them
    all, so the other selections are taken from the last file compiled."""
    from .api import Compiled, compile_source
    from .diagnostics import FeeCompileError
    from .source import SourceFile

    src = SourceFile(shown_path, text)
    with _lock:
        last = list(_last_compiled)
    if last and last[0] == (shown_path, text):
        compiled = last[1]
    else:
        compiled = compile_source(src, pick) if pick else compile_source(src)
        if "版" in text:  # the timeline and then the module come from one compile
            with _lock:
                _last_compiled[:] = [(shown_path, text), compiled]
    if not compiled.ok:
        raise FeeCompileError([d for d in compiled.diagnostics if d.is_error], {src.path: src.text})
    if pick and compiled.selections:
        for key, ir, python in compiled.selections:
            if key == pick:
                return Compiled(src, ir, python, compiled.diagnostics, compiled.timeline, compiled.selections)
    return compiled


def _lazy_compiler_attributes(namespace: dict, shown_path: str, text: str, pick: str = "") -> None:
    """``__feedsl_ir__``/``__feedsl_source__`` computed on first access (PEP 562)."""
    lock = _thread.allocate_lock()
    previous = namespace.get("__getattr__")

    def __getattr__(attr: str):
        if attr in ("__feedsl_ir__", "__feedsl_source__"):
            with lock:
                if attr not in namespace:
                    compiled = _compile(shown_path, text, pick)
                    namespace["__feedsl_ir__"] = compiled.ir
                    namespace["__feedsl_source__"] = compiled.python
            return namespace[attr]
        if previous is not None:
            return previous(attr)
        raise AttributeError(f"module {namespace['__name__']!r} has no attribute {attr!r}")

    namespace["__getattr__"] = __getattr__


def _execute(regulation: str, key: bytes, code, filename: str):
    mod = type(sys)(f"{PACKAGE}.{regulation}_{key.hex()[:12]}")
    mod.__file__ = filename
    mod.__package__ = PACKAGE
    exec(code, mod.__dict__)  # code generated by feedsl from a checked file, never author text
    return mod


def _read_text(path) -> str:
    """The file's text as the compiler reads it (UTF-8, BOM allowed, newlines normalized).

    On an OS or encoding error, :func:`feedsl.api.read_source` raises the
    FeeCompileError every other command gives for that file.
    """
    try:
        with open(path, "rb") as f:
            text = f.read().decode("utf-8")  # not "utf-8-sig": that codec is one more import
    except (OSError, UnicodeDecodeError):
        from .api import read_source

        return read_source(path).text
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def _load_uncached(shown_path: str, text: str, key: bytes, pick: str = ""):
    dfd, _why = _open_dir(create=True)
    try:
        if dfd is not None:
            entry = _read_entry(dfd, key)
            if entry is not None:
                regulation, code = entry
                mod = _execute(regulation, key, code, code.co_filename)
                _lazy_compiler_attributes(mod.__dict__, shown_path, text, pick)
                return mod
        compiled = _compile(shown_path, text, pick)
        python, regulation = compiled.python, compiled.ir.name
        if dfd is not None:  # tracebacks read the entry's .py
            filename = os.path.join(cache_dir(), key.hex() + ".py")
        else:
            filename = f"<feedsl {shown_path}>"
        code = compile(python, filename, "exec", dont_inherit=True)
        if dfd is not None:
            _write_entry(dfd, key, regulation, python, code)
        else:
            import linecache

            linecache.cache[filename] = (len(python), None, python.splitlines(True), filename)
        mod = _execute(regulation, key, code, filename)
        mod.__feedsl_ir__ = compiled.ir
        mod.__feedsl_source__ = python
        return mod
    finally:
        if dfd is not None:
            os.close(dfd)


def _recall(key: bytes):
    """The module loaded for ``key``, now the most recently used (caller holds ``_lock``)."""
    mod = _loaded.pop(key, None)
    if mod is not None:
        _loaded[key] = mod
    return mod


def _remember(key: bytes, mod) -> None:
    """Keep ``mod`` (caller holds ``_lock``), evicting the least recently used beyond MAX_LOADED."""
    _loaded[key] = mod
    sys.modules[mod.__name__] = mod
    while len(_loaded) > max(MAX_LOADED, 1):
        old = _loaded.pop(next(iter(_loaded)))
        if sys.modules.get(old.__name__) is old:
            del sys.modules[old.__name__]


def unload_all() -> None:
    """Forget every module this process loaded (they also leave ``sys.modules``)."""
    with _lock:
        for mod in _loaded.values():
            if sys.modules.get(mod.__name__) is mod:
                del sys.modules[mod.__name__]
        _loaded.clear()
        _timelines.clear()
        _last_compiled.clear()


def load(path, as_of=None):
    """Compile a ``.fee`` file (or take it from the cache) and return the module of its fee functions.

    A file with versions (版) gives the module of the version in force on
    ``as_of`` (a date or date text), with the 経過措置 whose period holds that
    day; without ``as_of``, the latest version's own text (the consolidated
    current text). ``VERSION`` names the version (None for a file without
    versions, where ``as_of`` changes nothing). A rule no version in force on
    that date defines raises FeeInputError saying from when the file knows
    it; a date before every version raises FeeInputError at once.

    Each selection is its own module, cached under its own key, and is never
    changed after it is made. Loading an unchanged file again returns the same
    module; editing the file makes the next ``load`` compile it again. Raises
    :class:`~feedsl.diagnostics.FeeCompileError` (with rendered diagnostics) on
    errors in the file or when it cannot be read.
    """
    shown_path = str(path)
    text = _read_text(path)
    pick = ""
    if as_of is not None or "版" in text:
        from . import versions

        day = None if as_of is None else versions.as_date(as_of)  # a bad date is an error in any file
        if "版" in text:
            tl = _timeline(shown_path, text)
            if tl is not None:
                pick = tl.key_on(day)
    return _load_text(shown_path, text, pick)


def load_version(path, name: str):
    """The module of version ``name``'s own text (without its 経過措置), as
    ``feedsl compare FILE@NAME`` compares it. FeeInputError (input ``version``)
    for a file without versions or a name it does not declare, naming the
    versions it knows."""
    from .runtime import FeeInputError

    shown_path = str(path)
    text = _read_text(path)
    tl = _timeline(shown_path, text) if "版" in text else None
    if tl is None:
        raise FeeInputError(f"{shown_path} には版がありません（@{name} は版のあるファイルにだけ書けます）"
                            f" / {shown_path} declares no versions", "version", "版")
    names = [v.name for v in tl.versions]
    if name not in names:
        raise FeeInputError(f"版「{name}」は {shown_path} にありません。この規程の版: {'、'.join(names)}"
                            f" / no version {name!r} in {shown_path}; its versions: {', '.join(names)}",
                            "version", "版")
    return _load_text(shown_path, text, tl.key(names.index(name)))


def load_selections(path) -> list:
    """The module of every text a file's examples are checked on: for a file
    with versions, each version's own text and each span of its 経過措置
    (the latest version last); else just ``load(path)``."""
    from . import versions

    shown_path = str(path)
    text = _read_text(path)
    tl = _timeline(shown_path, text) if "版" in text else None
    if tl is None:
        return [_load_text(shown_path, text)]
    return [_load_text(shown_path, text, tl.key(vidx, active)) for vidx, active in versions.keys_to_check(tl)]


def _timeline(shown_path: str, text: str):
    """The timeline of a file (None: no versions), from memory, the cache or the compiler."""
    from . import versions

    key = _key(shown_path, text, "版")
    with _lock:
        data = _timelines.get(key)
    if data is None:
        dfd, _why = _open_dir(create=True)
        try:
            if dfd is not None:
                data = _read_payload(dfd, key, _TIMELINE_TAG)
                if not versions.valid_data(data):
                    data = None
            if data is None:
                compiled = _compile(shown_path, text)
                data = compiled.timeline.data() if compiled.timeline is not None else ()
                if dfd is not None:
                    try:
                        _write_payload(dfd, key, _TIMELINE_TAG, data)
                    except (OSError, ValueError):
                        pass
        finally:
            if dfd is not None:
                os.close(dfd)
        with _lock:
            _timelines[key] = data
    return versions.Timeline.from_data(data) if data else None


def _load_text(shown_path: str, text: str, pick: str = ""):
    key = _key(shown_path, text, pick)
    with _lock:
        mod = _recall(key)
        if mod is not None:
            return mod
        busy = _loading.setdefault(key, _thread.allocate_lock())
    with busy:  # one thread loads a key; the others wait for its module
        with _lock:
            mod = _recall(key)
            if mod is not None:
                return mod
        try:
            mod = _load_uncached(shown_path, text, key, pick)
            with _lock:
                _remember(key, mod)
        finally:
            with _lock:
                _loading.pop(key, None)
    return mod
