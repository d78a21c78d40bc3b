"""Legacy and open office formats → OOXML, through LibreOffice, for the usual readers.

`converted(path, "docx")` yields a .docx made from a .doc/.rtf/.odt (`"xlsx"`: from an
.xls/.ods); the decree and report readers then read it like any upload. LibreOffice is
untrusted-input software, so each run gets:

- a private copy of the file in a temp dir (the original is never opened by LibreOffice,
  which may write lock files next to what it opens);
- its own throw-away profile (`-env:UserInstallation`), so concurrent runs never share or
  corrupt one, and nothing the file does survives the run;
- a timeout, after which the whole process group (oosplash, soffice.bin) is killed;
- no network: a private network namespace (`unshare -rn`) where the kernel allows it, and
  dead proxies in the environment everywhere (a document can link remote images).

Conversions are cached by the sha256 of the original bytes (`<cache_dir>/<sha>.<target>`),
so a re-run does not pay ~3 s per file again. Failures are not cached: a timeout on a busy
machine is an outcome of that run, not a fact about the file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import tempfile
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from core.errors import PlanwatchError
from core.once import once
from core.settings import resolve_settings

__all__ = [
    "INSTALL_HINT",
    "ConversionError",
    "ConversionTimeout",
    "ConvertSettings",
    "LibreOfficeMissing",
    "convert",
    "convert_many",
    "converted",
    "soffice_available",
]

INSTALL_HINT = "apt-get install libreoffice-writer-nogui libreoffice-calc-nogui"
DEFAULT_SOFFICE = "soffice"
DEFAULT_TIMEOUT = 60.0  # seconds; a report converts in ~3 s, the first run of a profile ~5 s
# Explicit export filters: a bare "docx" makes LibreOffice guess. The readers want docx and
# xlsx; the legacy targets serve the test-fixture generators (same guarded runner).
FILTERS = {
    "docx": "docx:MS Word 2007 XML",
    "xlsx": "xlsx:Calc MS Excel 2007 XML",
    "doc": "doc:MS Word 97",
    "rtf": "rtf:Rich Text Format",
    "odt": "odt:writer8",
    "xls": "xls:MS Excel 97",
    "ods": "ods:calc8",
}
# A document may link remote images or data; these make any such fetch fail at once.
_DEAD_PROXY = "http://127.0.0.1:9"
_PROXY_VARS = ("http_proxy", "https_proxy", "ftp_proxy", "HTTP_PROXY", "HTTPS_PROXY")
_CHUNK = 1 << 20


class ConversionError(PlanwatchError):
    """LibreOffice could not convert a file (it failed, wrote nothing, or is missing)."""


class LibreOfficeMissing(ConversionError):
    """The soffice binary is not installed: the message says how to install it."""


class ConversionTimeout(ConversionError):
    """LibreOffice did not finish within the timeout and was killed."""


@dataclass(frozen=True)
class ConvertSettings:
    """`cache_dir` None: convert into a temp dir that `converted` removes afterwards."""

    soffice: str = DEFAULT_SOFFICE
    timeout: float = DEFAULT_TIMEOUT
    cache_dir: str | None = None
    isolate_network: bool = True

    def __post_init__(self) -> None:
        if self.timeout <= 0:
            raise ValueError(f"timeout must be positive, not {self.timeout}")

    @classmethod
    def resolve(cls, value: ConvertSettings | Mapping[str, Any] | None) -> ConvertSettings:
        return resolve_settings(cls, value)


def soffice_available(soffice: str = DEFAULT_SOFFICE) -> bool:
    return shutil.which(soffice) is not None


@contextmanager
def converted(
    path: Path, target: str, settings: ConvertSettings | Mapping[str, Any] | None = None
) -> Iterator[Path]:
    """The converted file for the duration of the block (kept afterwards only in the cache)."""
    settings = ConvertSettings.resolve(settings)
    if settings.cache_dir is not None:
        yield convert(path, target, settings)
        return
    with tempfile.TemporaryDirectory(prefix="planwatch-convert-") as out_dir:
        yield convert(path, target, settings, Path(out_dir))


def convert(
    path: Path,
    target: str,
    settings: ConvertSettings | Mapping[str, Any] | None = None,
    out_dir: Path | None = None,
) -> Path:
    """Convert `path` to `target` (a key of FILTERS: "docx", "xlsx", …); return the new file.

    With `settings.cache_dir` the result is `<cache_dir>/<sha256>.<target>` and is reused;
    else it is written into `out_dir`. Raises ConversionError (LibreOfficeMissing,
    ConversionTimeout) with a one-line reason naming the original file."""
    path = Path(path)
    settings = ConvertSettings.resolve(settings)
    if target not in FILTERS:
        raise ValueError(f"target must be one of {sorted(FILTERS)}, not {target!r}")
    cached = None
    if settings.cache_dir is not None:
        cached = Path(settings.cache_dir) / f"{file_sha256(path)}.{target}"
        if cached.is_file():
            return cached
    elif out_dir is None:
        raise ValueError("convert needs out_dir when settings.cache_dir is not set")
    binary = shutil.which(settings.soffice)
    if binary is None:
        raise LibreOfficeMissing(
            path, f"converting this file needs LibreOffice, which is not installed: {INSTALL_HINT}"
        )
    with tempfile.TemporaryDirectory(prefix="planwatch-soffice-") as work:
        # A plain ASCII name: LibreOffice mangles some non-ASCII names in its output name.
        names = {"source": f"source{path.suffix.lower()}"}
        output = _run_soffice(binary, [("source", path)], target, Path(work), settings, names)
        result = Path(work) / "out" / f"source.{target}"
        if not result.is_file() or result.stat().st_size == 0:
            said = _last_line(output) or "no output file"
            raise ConversionError(path, f"LibreOffice could not convert this file ({said})")
        if cached is None:
            Path(out_dir).mkdir(parents=True, exist_ok=True)
            return Path(shutil.move(result, Path(out_dir) / f"{path.stem}.{target}"))
        cached.parent.mkdir(parents=True, exist_ok=True)
        partial = cached.with_name(f".{cached.name}.{os.getpid()}.part")
        shutil.move(result, partial)
        os.replace(partial, cached)  # atomic: a concurrent worker never reads half a file
        return cached


def convert_many(
    paths: Sequence[Path], target: str, settings: ConvertSettings | Mapping[str, Any]
) -> list[Path]:
    """Fill the cache for many files with ONE LibreOffice run: its start-up (most of the
    ~1.5 s of CPU a single conversion costs) is paid once. Returns the files that were not
    converted (already cached, failed, or all of them after a timeout, which gets
    `timeout` seconds per file); `convert` then converts and judges each one alone."""
    settings = ConvertSettings.resolve(settings)
    if settings.cache_dir is None:
        raise ValueError("convert_many fills the cache: settings.cache_dir must be set")
    cache = Path(settings.cache_dir)
    pending: dict[str, Path] = {}
    for path in paths:
        sha = file_sha256(path)
        if not (cache / f"{sha}.{target}").is_file():
            pending.setdefault(sha, Path(path))
    binary = shutil.which(settings.soffice)
    if not pending or binary is None:
        return list(pending.values())
    with tempfile.TemporaryDirectory(prefix="planwatch-soffice-") as work:
        names = {sha: f"{sha}{path.suffix.lower()}" for sha, path in pending.items()}
        batch = replace(settings, timeout=settings.timeout * len(pending))
        try:
            _run_soffice(binary, list(pending.items()), target, Path(work), batch, names)
        except ConversionError:
            return list(pending.values())
        cache.mkdir(parents=True, exist_ok=True)
        for sha in list(pending):
            result = Path(work) / "out" / f"{sha}.{target}"
            if result.is_file() and result.stat().st_size:
                partial = cache / f".{sha}.{target}.{os.getpid()}.part"
                shutil.move(result, partial)
                os.replace(partial, cache / f"{sha}.{target}")
                del pending[sha]
    return list(pending.values())


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _run_soffice(
    binary: str,
    sources: list[tuple[str, Path]],
    target: str,
    work: Path,
    settings: ConvertSettings,
    names: dict[str, str],
) -> str:
    """Run LibreOffice once on private copies (`names[key]` in `work/in`) of `sources`
    ((key, path) pairs); the results land in `work/out`. Returns its output."""
    source_dir, out_dir, profile = work / "in", work / "out", work / "profile"
    source_dir.mkdir()
    out_dir.mkdir()
    first = sources[0][1]
    for key, path in sources:
        try:
            shutil.copyfile(path, source_dir / names[key])
        except OSError as err:
            raise ConversionError(path, f"cannot copy the file for conversion ({err})") from err
    command = [
        binary,
        f"-env:UserInstallation={profile.as_uri()}",
        "--headless",
        "--invisible",
        "--norestore",
        "--nolockcheck",
        "--nodefault",
        "--nologo",
        "--convert-to",
        FILTERS[target],
        "--outdir",
        str(out_dir),
        *(str(source_dir / names[key]) for key, _ in sources),
    ]
    if settings.isolate_network and _can_unshare_network():
        command = ["unshare", "-rn", *command]
    return _run_killable(command, work, settings.timeout, first)


def _run_killable(command: list[str], home: Path, timeout: float, path: Path) -> str:
    """Run in a new session; on timeout kill its whole process group. Returns its output."""
    env = {**os.environ, "HOME": str(home), "SAL_USE_VCLPLUGIN": "svp"}
    env.update(dict.fromkeys(_PROXY_VARS, _DEAD_PROXY))
    env["no_proxy"] = env["NO_PROXY"] = ""
    process = subprocess.Popen(
        command,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        cwd=home,
        env=env,
        start_new_session=True,  # its own process group: soffice forks soffice.bin
    )
    try:
        output, _ = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired:
        _kill_group(process)
        raise ConversionTimeout(
            path, f"LibreOffice did not finish converting within {timeout:g} s and was stopped"
        ) from None
    except BaseException:
        _kill_group(process)
        raise
    finally:
        _kill_group(process, only_leftovers=True)
    return output.decode("utf-8", "replace")


def _kill_group(process: subprocess.Popen, only_leftovers: bool = False) -> None:
    """SIGKILL every process of the run's group (a leftover soffice.bin holds the profile)."""
    with suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)
    if not only_leftovers:
        process.wait()  # reap it; the pipe is not read, so nothing can block on it


@once
def _can_unshare_network() -> bool:
    """True where an unprivileged private network namespace can be made (not in every
    container); elsewhere the dead proxies are the only guard."""
    unshare = shutil.which("unshare")
    if unshare is None:
        return False
    try:
        run = subprocess.run([unshare, "-rn", "true"], capture_output=True, timeout=10)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return run.returncode == 0


def _last_line(output: str) -> str:
    lines = [line.strip() for line in output.splitlines() if line.strip()]
    useful = [line for line in lines if not line.startswith("Warning: failed to launch javaldx")]
    return useful[-1][:200] if useful else ""
