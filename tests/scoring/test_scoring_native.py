"""The compiled scorer is used only while it was built from this very source."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scoring import native
from tests.conftest import needs_in_ci

REPO = Path(__file__).resolve().parents[2]


def fake_build(folder: Path, digest: str) -> Path:
    (folder / "scoring").mkdir(parents=True)
    (folder / native.DIGEST_FILE).write_text(digest + "\n")
    return folder


def test_a_build_of_this_source_goes_first_on_the_package_path(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    where = fake_build(tmp_path, native.source_digest())
    package_path = ["/src/scoring"]
    assert native.activate(package_path, where)
    assert package_path == [str(where / "scoring"), "/src/scoring"]
    assert str(where) in sys.path


def test_a_build_of_other_source_is_ignored(tmp_path):
    where = fake_build(tmp_path, "0" * 64)
    package_path = ["/src/scoring"]
    assert not native.activate(package_path, where)
    assert package_path == ["/src/scoring"]


def test_no_build_means_the_plain_modules(tmp_path):
    package_path = ["/src/scoring"]
    assert not native.activate(package_path, tmp_path / "missing")
    assert package_path == ["/src/scoring"]


def test_any_source_edit_changes_the_digest(tmp_path, monkeypatch):
    package = tmp_path / "scoring"
    package.mkdir()
    (package / "cues.py").write_text("X = 1\n")
    monkeypatch.setattr(native, "PACKAGE", package)
    before = native.source_digest()
    (package / "cues.py").write_text("X = 2\n")
    edited = native.source_digest()
    assert edited != before
    (package / native.C_SOURCE).write_text("/* the C walk */\n")
    assert native.source_digest() != edited


def test_compile_check_tells_which_modules_score():
    done = subprocess.run([sys.executable, "-m", "scoring", "compile", "--check"], cwd=REPO, capture_output=True,
                          text=True, timeout=60)
    in_use = native.compiled()
    assert done.returncode == (0 if in_use else 1)
    assert ("compiled" if in_use else "plain Python") in done.stdout


@needs_in_ci("`make test` compiles the scorer before the suite; a bare pytest run may use the plain modules")
def test_the_suite_scores_with_the_compiled_modules():
    from scoring import scorer

    assert native.compiled()
    assert scorer.__file__.startswith(str(native.build_dir()))


def test_c_that_does_not_compile_is_reported_with_its_file(tmp_path):
    source = tmp_path / "broken.c"
    source.write_text("this is not C;\n")
    with pytest.raises(native.BuildError, match=r"failed \(1\) on broken\.c"):
        native._compile_c(source, tmp_path)


def test_a_missing_c_compiler_is_named(tmp_path, monkeypatch):
    import sysconfig

    config = {**sysconfig.get_config_vars(), "CC": "no-such-compiler"}
    monkeypatch.setattr(sysconfig, "get_config_vars", lambda: config)
    source = tmp_path / "walk.c"
    source.write_text("int x;\n")
    with pytest.raises(native.BuildError, match="cannot run the C compiler 'no-such-compiler'"):
        native._compile_c(source, tmp_path)
