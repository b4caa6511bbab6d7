"""When the *default* cache directory (<tempdir>/jarvis_ml_cache) is a symbolic link or belongs to
another user (on a shared /tmp someone else may have created it first), RustModelLoader() warns and
uses this user's own cache directory instead of raising; an explicit unsafe cache_dir is still
refused with OSError."""

import os
import sys
import tempfile

import pytest

from jarvis_rust_extensions import RustModelLoader


@pytest.fixture
def shared_tmp(tmp_path, monkeypatch):
    shared = tmp_path / "shared"
    shared.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return shared


def _user_cache(tmp_path):
    if sys.platform == "darwin":
        return str(tmp_path / "home" / "Library" / "Caches" / "jarvis_ml_cache")
    return str(tmp_path / "xdg" / "jarvis_ml_cache")


def _works(loader):
    assert loader.decompress_model(loader.compress_model(b"z" * 100)) == b"z" * 100
    assert os.path.isdir(loader.cache_dir) and not os.path.islink(loader.cache_dir)


def test_a_symlinked_default_falls_back_to_the_user_cache(shared_tmp, tmp_path):
    elsewhere = tmp_path / "planted"
    elsewhere.mkdir()
    os.symlink(elsewhere, shared_tmp / "jarvis_ml_cache")
    with pytest.warns(RuntimeWarning, match="symbolic link"):
        loader = RustModelLoader()
    assert loader.cache_dir == _user_cache(tmp_path)
    _works(loader)
    assert os.listdir(elsewhere) == []
    with pytest.raises(OSError):
        RustModelLoader(cache_dir=shared_tmp / "jarvis_ml_cache")  # explicit: still refused


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to give a directory to another user")
def test_another_users_default_falls_back_to_the_user_cache(shared_tmp, tmp_path):
    theirs = shared_tmp / "jarvis_ml_cache"
    theirs.mkdir(mode=0o777)
    os.chown(theirs, 12345, 12345)
    with pytest.warns(RuntimeWarning, match="another user"):
        loader = RustModelLoader()
    assert loader.cache_dir == _user_cache(tmp_path)
    _works(loader)
    with pytest.raises(OSError):
        RustModelLoader(cache_dir=theirs)  # explicit: still refused


def test_a_safe_default_is_used_without_a_warning(shared_tmp, recwarn):
    loader = RustModelLoader()
    assert loader.cache_dir == str(shared_tmp / "jarvis_ml_cache")
    assert not [w for w in recwarn if issubclass(w.category, RuntimeWarning)]
