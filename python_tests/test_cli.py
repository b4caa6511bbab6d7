"""The command line: every command's output and exit status (0 ok, 1 failure, 2 usage), one-line
errors without tracebacks, a progress bar only on a terminal, and the demo."""

import json
import os
import pty
import shutil
import subprocess
import sys

import numpy as np
import pytest

import jarvis_rust_extensions as jre
from jarvis_rust_extensions.cli import human_bytes, main

safetensors_numpy = pytest.importorskip("safetensors.numpy")

MIB = 1024 * 1024


def run_module(*args, **kwargs):
    """``python -m jarvis_rust_extensions ARGS`` with stdout and stderr piped (not terminals)."""
    return subprocess.run([sys.executable, "-m", "jarvis_rust_extensions", *map(str, args)], capture_output=True,
                          text=True, **kwargs)


@pytest.fixture
def model(tmp_path, rng):
    arrays = {"a.weight": (rng.standard_normal((64, 96)) * 0.02).astype(np.float32),
              "a.bias": np.zeros(64, np.float32), "ids": np.arange(5, dtype=np.int64)}
    path = tmp_path / "model.safetensors"
    safetensors_numpy.save_file(arrays, str(path), metadata={"format": "pt"})
    return path


def test_human_bytes():
    assert [human_bytes(n) for n in (0, 1023, 1024, 1536 * 1024, 5 * 1024**3)] == \
        ["0 B", "1023 B", "1.0 KiB", "1.5 MiB", "5.0 GiB"]


def test_stats_text(capsys):
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    for key in ("total:", "used:", "available:", "this process:"):
        assert key in out
    assert "host memory" in out or "cgroup limit" in out


def test_stats_json(capsys):
    assert main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    for key in ("total_mb", "available_mb", "used_mb", "system_percent", "process_mb", "limit_source"):
        assert key in stats
    assert stats["limit_source"] in ("host", "cgroup")
    assert 0 < stats["available_mb"] <= stats["total_mb"]


@pytest.mark.parametrize("scheme", ["int8", "int4", "fp16", "q8_0", "q4_0"])
def test_quantize(tmp_path, model, capsys, scheme):
    dst = tmp_path / "q.safetensors"
    assert main(["quantize", str(model), str(dst), "--scheme", scheme]) == 0
    captured = capsys.readouterr()
    assert captured.err == ""  # not a terminal: no progress bar
    assert f"3 tensors (1 quantized {scheme}, 2 copied)" in captured.out
    back = jre.load_quantized_model_file(dst)
    assert back["a.weight"].shape == (64, 96)


def test_quantize_default_scheme_is_int8(tmp_path, model, capsys):
    dst = tmp_path / "q.safetensors"
    assert main(["quantize", str(model), str(dst)]) == 0
    assert safetensors_numpy.load_file(str(dst))["a.weight"].dtype == np.int8


def test_compress_and_decompress(tmp_path, capsys):
    src = tmp_path / "text.txt"
    src.write_bytes(b"the same line again\n" * 50000)
    assert main(["compress", str(src), str(tmp_path / "t.lz4"), "--level", "9"]) == 0
    out = capsys.readouterr().out
    assert "t.lz4" in out and "MB/s" in out
    assert main(["decompress", str(tmp_path / "t.lz4"), str(tmp_path / "back.txt")]) == 0
    assert (tmp_path / "back.txt").read_bytes() == src.read_bytes()
    if shutil.which("lz4"):
        subprocess.run(["lz4", "-t", "-q", str(tmp_path / "t.lz4")], check=True)


def test_inspect(model, capsys):
    assert main(["inspect", str(model)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["name", "dtype", "shape", "size"]
    row = next(line for line in lines if line.startswith("a.weight"))
    assert row.split()[:4] == ["a.weight", "F32", "(64,", "96)"] and row.endswith("24.0 KiB")
    assert any(line.startswith("a.bias") and "(64,)" in line for line in lines)
    assert "3 tensors, 6,213 values" in out
    assert "format=pt" in out


def test_inspect_json(model, capsys):
    assert main(["inspect", "--json", str(model)]) == 0
    header = json.loads(capsys.readouterr().out)
    assert {t["name"] for t in header["tensors"]} == {"a.weight", "a.bias", "ids"}


def test_inspect_quantized_names_the_scheme(tmp_path, model, capsys):
    dst = tmp_path / "q.safetensors"
    jre.quantize_model_file(model, dst, "int4", progress=False)
    assert main(["inspect", str(dst)]) == 0
    out = capsys.readouterr().out
    assert "quantized with scheme int4" in out and "a.weight.scale" in out


FAILURES = [
    (["quantize", "{tmp}/missing.safetensors", "{tmp}/out.safetensors"], 1, "error: No such file or directory"),
    (["inspect", "{tmp}/missing.safetensors"], 1, "error: No such file or directory"),
    (["inspect", "{tmp}/garbage.bin"], 1, "error: malformed safetensors file"),
    (["compress", "{tmp}/missing", "{tmp}/x.lz4"], 1, "error: No such file or directory"),
    (["decompress", "{tmp}/garbage.bin", "{tmp}/x"], 1, "not an LZ4 frame"),
    (["quantize", "{tmp}/garbage.bin", "{tmp}/out.safetensors"], 1, "error: malformed safetensors file"),
    (["quantize", "a", "b", "--scheme", "int3"], 2, "error: argument --scheme: invalid choice: 'int3'"),
    (["compress", "a", "b", "--level", "13"], 2, "error: argument --level: invalid choice: 13"),
    (["compress", "a", "b", "--level", "x"], 2, "error: argument --level: invalid int value"),
    (["quantize", "only-one-arg"], 2, "error: the following arguments are required: DST"),
    ([], 2, "error: the following arguments are required: COMMAND"),
    (["frobnicate"], 2, "error: argument COMMAND: invalid choice: 'frobnicate'"),
    (["demo", "--size-mb", "0"], 2, "error: --size-mb must be a positive number"),
]


@pytest.mark.parametrize("argv,code,message", FAILURES, ids=[" ".join(f[0]) or "no command" for f in FAILURES])
def test_failures_print_one_line(tmp_path, capsys, argv, code, message):
    (tmp_path / "garbage.bin").write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00garbage!garbage!")
    argv = [a.format(tmp=tmp_path) for a in argv]
    assert main(argv) == code
    captured = capsys.readouterr()
    lines = captured.err.splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("error: ") and message in lines[0], lines[0]
    assert "Traceback" not in captured.err
    assert not (tmp_path / "out.safetensors").exists()


def test_help_exits_zero(capsys):
    assert main(["--help"]) == 0
    out = capsys.readouterr().out
    for command in ("stats", "quantize", "compress", "decompress", "inspect", "demo"):
        assert command in out
    assert main(["quantize", "--help"]) == 0
    assert "int8" in capsys.readouterr().out


def test_module_entry_point_exit_codes(tmp_path, model):
    ok = run_module("inspect", model)
    assert ok.returncode == 0 and "a.weight" in ok.stdout and ok.stderr == ""
    missing = run_module("quantize", tmp_path / "nope.safetensors", tmp_path / "o.safetensors")
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: No such file or directory") and "Traceback" not in missing.stderr
    usage = run_module("quantize", model, tmp_path / "o.safetensors", "--scheme", "int3")
    assert usage.returncode == 2 and usage.stderr.count("\n") == 1
    version = run_module("--version")
    assert version.returncode == 0 and jre.__version__ in version.stdout


def test_progress_bar_only_on_a_terminal(tmp_path, rng):
    src = tmp_path / "big.bin"
    src.write_bytes(np.tile(rng.integers(0, 4, size=MIB, dtype=np.uint8), 16).tobytes())
    piped = run_module("compress", src, tmp_path / "a.lz4")
    assert piped.returncode == 0 and piped.stderr == ""
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "jarvis_rust_extensions", "compress", str(src), str(tmp_path / "b.lz4")],
                              stdout=subprocess.PIPE, stderr=follower, timeout=120)
        os.close(follower)
        follower = -1
        chunks = []
        while True:
            try:
                data = os.read(leader, 65536)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert proc.returncode == 0
    bar = b"".join(chunks).decode()
    assert "compress [" in bar and "100.0%" in bar and "MiB" in bar
    quiet = run_module("compress", "--quiet", src, tmp_path / "c.lz4")
    assert quiet.returncode == 0 and quiet.stderr == ""


def test_demo_small(tmp_path, capsys):
    assert main(["demo", "--size-mb", "6", "--dir", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    for scheme in ("fp32", "int8", "int4", "fp16", "q8_0", "q4_0"):
        assert any(line.split()[:1] == [scheme] for line in out.splitlines()), scheme
    assert "LZ4 (compress_file" in out and "load_safetensors:" in out and "zero-copy" in out
    assert os.listdir(tmp_path) == [], "the demo left files behind"


def test_demo_module(tmp_path):
    r = run_module("demo", "--size-mb", "2", "--dir", tmp_path, timeout=120)
    assert r.returncode == 0, r.stderr
    assert "reduction" in r.stdout and "q4_0" in r.stdout
    assert os.listdir(tmp_path) == []
