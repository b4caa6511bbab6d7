"""The command line's memory pressure: ``stats`` lines, ``stats --json``'s "pressure" object and
``stats --watch`` (views, --count, --interval, Ctrl-C)."""

import json
import os
import pty
import signal
import subprocess
import sys
import time

import pytest

from jarvis_rust_extensions.cli import main

LEVELS = ("low", "medium", "high", "critical", "emergency")


def run_module(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "jarvis_rust_extensions", *map(str, args)], capture_output=True,
                          text=True, **kwargs)


def test_stats_text_shows_level_and_kernel(capsys):
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    level_line = next(line for line in out.splitlines() if line.startswith("pressure:"))
    assert level_line.split()[1] in LEVELS
    assert "trend:" in out
    assert "kernel" in out
    if os.path.exists("/proc/pressure/memory"):
        assert "kernel PSI:" in out and "avg10" in out and "total" in out


def test_stats_json_has_a_pressure_object(capsys):
    assert main(["stats", "--json"]) == 0
    stats = json.loads(capsys.readouterr().out)
    p = stats["pressure"]
    assert set(p) == {"level", "available_mb", "thresholds_mb", "trend_mb_per_s", "kernel"}
    assert p["level"] in LEVELS and p["thresholds_mb"] == [4096.0, 2048.0, 1024.0, 512.0]
    assert p["available_mb"] == stats["available_mb"]  # one monitor, one reading
    if os.path.exists("/proc/pressure/memory"):
        assert isinstance(p["kernel"]["some_total_us"], int)


def test_watch_count_views():
    t0 = time.monotonic()
    r = run_module("stats", "--watch", "--interval", "0.2", "--count", "3", timeout=60)
    assert r.returncode == 0, r.stderr
    views = r.stdout.split("\n\n")
    assert len(views) == 3
    for i, view in enumerate(views, 1):
        assert f"({i}/3)" in view.splitlines()[0]
        assert "pressure:" in view and "available:" in view and "trend:" in view
    assert "not yet known" not in views[2]  # three readings by then
    assert "\x1b[" not in r.stdout  # no screen control codes when not on a terminal
    assert time.monotonic() - t0 >= 0.4


def test_watch_json_lines():
    r = run_module("stats", "--watch", "--json", "--interval", "0.1", "--count", "2", timeout=60)
    assert r.returncode == 0, r.stderr
    lines = r.stdout.splitlines()
    assert len(lines) == 2
    for line in lines:
        obj = json.loads(line)
        assert obj["pressure"]["level"] in LEVELS and "total_mb" in obj["stats"]


def test_watch_on_a_terminal_redraws_in_place():
    leader, follower = pty.openpty()
    try:
        proc = subprocess.run([sys.executable, "-m", "jarvis_rust_extensions", "stats", "--watch", "--interval", "0.1",
                               "--count", "2"], stdout=follower, stderr=subprocess.PIPE, timeout=60)
        os.close(follower)
        follower = -1
        data = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:
                break
            if not chunk:
                break
            data += chunk
    finally:
        os.close(leader)
        if follower >= 0:
            os.close(follower)
    assert proc.returncode == 0
    assert data.count(b"\x1b[H\x1b[2J") == 2


@pytest.mark.parametrize("args", [["--watch", "--interval", "0"], ["--watch", "--interval", "-1"],
                                  ["--watch", "--interval", "nan"], ["--watch", "--count", "0"], ["--count", "2"],
                                  ["--interval", "1"], ["--watch", "--interval", "x"]])
def test_watch_usage_errors(args):
    r = run_module("stats", *args, timeout=60)
    assert r.returncode == 2
    assert r.stderr.startswith("error: ") and "Traceback" not in r.stderr


def test_watch_ctrl_c_exits_cleanly():
    child = subprocess.Popen([sys.executable, "-m", "jarvis_rust_extensions", "stats", "--watch", "--interval", "0.2"],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout.readline().endswith("every 0.2 s\n")  # the first view has started
        time.sleep(0.5)
        child.send_signal(signal.SIGINT)
        rc = child.wait(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert rc == 0
    assert "Traceback" not in child.stderr.read()
