"""The scale benchmark's arguments: checked before anything runs, with a message naming the option."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

BENCH = Path(__file__).resolve().parents[1] / "bench" / "scale.py"


@pytest.fixture(scope="module")
def scale():
    spec = importlib.util.spec_from_file_location("bench_scale", BENCH)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    yield module
    del sys.modules[spec.name]


def test_a_new_cache_folder_is_made(scale, tmp_path):
    args = scale.parse_args(["--quick", "--cache", str(tmp_path / "a" / "b")])
    assert args.cache.is_dir()


def test_a_cache_folder_that_cannot_be_made_is_named(scale, tmp_path, capsys):
    (tmp_path / "file").write_text("")
    with pytest.raises(SystemExit):
        scale.parse_args(["--quick", "--cache", str(tmp_path / "file" / "cache")])
    assert f"--cache {tmp_path / 'file' / 'cache'}: cannot create the folder" in capsys.readouterr().err


def test_reuse_needs_a_database(scale, capsys):
    with pytest.raises(SystemExit):
        scale.parse_args(["--reuse"])
    assert "--reuse needs --database-url" in capsys.readouterr().err
