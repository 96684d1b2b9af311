"""The scorer's hot modules compiled to C with mypyc, used when the build matches the source.

`python -m scoring compile` builds them (`make run` and `make test` do); `--check` tells whether
this interpreter uses the build.
The compiled modules are the same source, so they score identically. The build also holds
`phrase_scan`, the scorer's text scans written in C (phrase_scan.c), each finding what the regex or
Python it replaces finds (tests/scoring/test_phrase_scan.py); together they score an interaction in
under half the time of the plain modules. The build lives beside the interpreter (`sys.prefix`), never
in the source tree, and is keyed by the sources' digest: after any edit, and on a machine without a
build, the package imports its plain Python modules and the scans run as the regexes and Python they
replace. Nothing else changes.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import MutableSequence
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent  # the source folder: compiled modules' __file__ is in the build
# The modules of one score() call; the interaction model and the rubric loader stay Python objects.
COMPILED = ("cues", "politeness", "result", "scorer", "sentiment")
DIGEST_FILE = "source.sha256"
C_SOURCE = "phrase_scan.c"


def build_dir() -> Path:
    """Return where this interpreter's build lives (under its prefix: one per virtual environment)."""
    return Path(sys.prefix) / "rapport-native" / sys.implementation.cache_tag


def compiled() -> bool:
    """Tell whether this process scores with the compiled modules."""
    from scoring import scorer

    return not scorer.__file__.endswith(".py")


def source_digest() -> str:
    """Return the digest of what a build is made from: the package's sources.

    Not the compiler's version: reading package metadata would add a twentieth of a second to every import,
    and the build needs nothing of mypy at run time, so a build of the same source stays good.
    """
    digest = hashlib.sha256()
    # The compiled modules type-check against the rest.
    for path in sorted([*PACKAGE.glob("*.py"), *PACKAGE.glob("*.c")]):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


def activate(package_path: MutableSequence[str], where: Path | None = None) -> bool:
    """Put a build that matches the source first on the package's path; tell whether one was used."""
    where = build_dir() if where is None else where
    try:
        built = (where / DIGEST_FILE).read_text().strip()
    except OSError:
        return False
    if built != source_digest():
        return False
    if str(where) not in sys.path:
        sys.path.append(str(where))  # mypyc's shared library is a top-level module
    package_path.insert(0, str(where / PACKAGE.name))
    return True


def build(where: Path | None = None) -> Path:
    """Compile COMPILED with mypyc in a scratch folder and install the result at `where` in one step."""
    # Imported here: every `import scoring` runs this module, and only a build needs them.
    import os
    import shutil
    import subprocess
    import tempfile

    where = build_dir() if where is None else where
    digest = source_digest()
    with tempfile.TemporaryDirectory(prefix="rapport-native-") as scratch:
        work = Path(scratch)
        shutil.copytree(PACKAGE, work / PACKAGE.name, ignore=shutil.ignore_patterns("__pycache__", "*.so"))
        modules = [f"{PACKAGE.name}/{name}.py" for name in COMPILED]
        run = subprocess.run([sys.executable, "-m", "mypyc", *modules], cwd=work, capture_output=True,
                             text=True, env={**os.environ, "MYPYC_OPT_LEVEL": "3"})
        if run.returncode:
            raise BuildError(f"mypyc failed ({run.returncode}):\n{run.stdout[-4000:]}{run.stderr[-4000:]}")
        staged = work / "out"
        (staged / PACKAGE.name).mkdir(parents=True)
        _compile_c(work / PACKAGE.name / C_SOURCE, staged / PACKAGE.name)
        for library in work.glob("*.so"):  # the shared library of all compiled modules
            shutil.copy2(library, staged / library.name)
        for name in COMPILED:
            (extension,) = (work / PACKAGE.name).glob(f"{name}.*.so")
            shutil.copy2(extension, staged / PACKAGE.name / extension.name)
        (staged / DIGEST_FILE).write_text(digest + "\n")
        where.parent.mkdir(parents=True, exist_ok=True)
        old = where.with_name(where.name + ".old")
        shutil.rmtree(old, ignore_errors=True)
        if where.exists():
            where.rename(old)
        shutil.move(staged, where)
        shutil.rmtree(old, ignore_errors=True)
    return where


def _compile_c(source: Path, folder: Path) -> None:
    """Compile one C extension module into `folder` with the compiler and flags Python was built with."""
    import shlex
    import subprocess
    import sysconfig

    config = sysconfig.get_config_vars()
    target = folder / (source.stem + config["EXT_SUFFIX"])
    command = [*shlex.split(config["CC"]), *shlex.split(config["CFLAGS"]), *shlex.split(config["CCSHARED"]),
               "-O3", "-shared", f"-I{sysconfig.get_paths()['include']}", str(source), "-o", str(target)]
    try:
        run = subprocess.run(command, capture_output=True, text=True)
    except OSError as exc:
        raise BuildError(f"cannot run the C compiler {command[0]!r}: {exc.strerror}") from None
    if run.returncode:
        raise BuildError(f"{command[0]} failed ({run.returncode}) on {source.name}:\n{run.stderr[-4000:]}")


class BuildError(RuntimeError):
    """mypyc could not compile the modules; the message carries its output."""
