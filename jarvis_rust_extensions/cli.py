"""The command line: ``python -m jarvis_rust_extensions`` (or ``jarvis-rust-extensions``).

Commands: ``stats``, ``quantize``, ``compress``, ``decompress``, ``inspect`` and ``demo``. Exit
status 0 on success, 1 when the work fails (missing file, malformed model, ...), 2 for a usage
error, 130 when interrupted (except ``stats --watch``, which Ctrl-C ends normally, status 0). Failures print one line, ``error: ...``, on stderr; a progress bar is
drawn on stderr only when it is a terminal.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import time
from typing import Any, Dict, List, Optional, Sequence, TextIO

from ._format import human_bytes

__all__ = ["main"]

PROG = "python -m jarvis_rust_extensions"


class _Parser(argparse.ArgumentParser):
    """argparse with a one-line usage error (``error: ...``) and exit status 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def _parser() -> argparse.ArgumentParser:
    from ._schemes import SCHEMES  # not from .files: that imports numpy

    p = _Parser(prog=PROG, description="Memory figures, model quantization and LZ4 files, from the Go core.")
    p.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    sub = p.add_subparsers(dest="command", metavar="COMMAND", required=True)

    s = sub.add_parser("stats", help="memory figures (cgroup-aware)", description="Memory of the machine, or of "
                       "the cgroup limit this process lives under, and of this process.")
    s.add_argument("--json", action="store_true", help="print JSON instead of text")
    s.add_argument("--watch", action="store_true", help="refresh a view of the memory pressure until Ctrl-C "
                   "(exit status 0) or --count views")
    s.add_argument("--interval", type=float, default=None, metavar="S", help="seconds between --watch views (default 1)")
    s.add_argument("--count", type=int, default=None, metavar="N", help="stop --watch after N views")
    s.set_defaults(func=_cmd_stats)

    s = sub.add_parser("quantize", help="quantize a .safetensors model", description="Quantize every floating "
                       "tensor of 2+ dimensions of a .safetensors model; copy the rest.")
    s.add_argument("src", metavar="SRC", help="the .safetensors model")
    s.add_argument("dst", metavar="DST", help="where to write the quantized .safetensors")
    s.add_argument("--scheme", choices=SCHEMES, default="int8", help="quantization scheme (default: int8)")
    s.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    s.set_defaults(func=_cmd_quantize)

    s = sub.add_parser("compress", help="compress a file to LZ4 (frame format, like the lz4 command)")
    s.add_argument("src", metavar="SRC")
    s.add_argument("dst", metavar="DST")
    s.add_argument("--level", type=int, default=0, choices=range(13), metavar="N",
                   help="0 (fastest, default) to 12 (smallest)")
    s.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    s.set_defaults(func=_cmd_compress)

    s = sub.add_parser("decompress", help="decompress an LZ4 frame file")
    s.add_argument("src", metavar="SRC")
    s.add_argument("dst", metavar="DST")
    s.add_argument("--quiet", "-q", action="store_true", help="no progress bar")
    s.set_defaults(func=_cmd_decompress)

    s = sub.add_parser("inspect", help="list the tensors of a .safetensors file")
    s.add_argument("file", metavar="FILE")
    s.add_argument("--json", action="store_true", help="print the header as JSON")
    s.set_defaults(func=_cmd_inspect)

    s = sub.add_parser("demo", help="measure the memory savings on a synthetic model",
                       description="Make a synthetic float32 transformer-like model, quantize it every way, "
                       "compress it and memory-map it, and print sizes, errors and times.")
    s.add_argument("--size-mb", type=float, default=256.0, metavar="N", help="model size in MiB (default 256)")
    s.add_argument("--dir", default=None, metavar="D", help="where to make the temporary directory")
    s.set_defaults(func=_cmd_demo)
    return p


def _version() -> str:
    from . import __version__
    return __version__


def _progress(args: argparse.Namespace) -> Any:
    return False if args.quiet else None


def _cmd_stats(args: argparse.Namespace, out: TextIO) -> int:
    from . import RustMemoryMonitor
    from ._stats_view import pressure_rows, watch
    if args.watch:
        interval = 1.0 if args.interval is None else args.interval
        if not (math.isfinite(interval) and interval > 0):
            raise _UsageError("--interval must be a positive number of seconds")
        if args.count is not None and args.count < 1:
            raise _UsageError("--count must be at least 1")
        return watch(out, interval, args.count, args.json)
    if args.interval is not None or args.count is not None:
        raise _UsageError("--interval and --count go with --watch")
    mon = RustMemoryMonitor()
    stats: Dict[str, Any] = dict(mon.get_memory_stats())
    pressure = mon.get_memory_pressure()
    if args.json:
        stats["pressure"] = pressure
        out.write(json.dumps(stats, indent=2, sort_keys=True) + "\n")
        return 0
    mib = 1024 * 1024
    limit = "cgroup limit" if stats.get("limit_source") == "cgroup" else "host memory"
    rows = [
        ("total", f"{human_bytes(stats['total_mb'] * mib)} ({limit})"),
        ("used", f"{human_bytes(stats['used_mb'] * mib)} ({stats['system_percent']:.1f}%)"),
        ("available", human_bytes(stats["available_mb"] * mib)),
        ("this process", f"{human_bytes(stats['process_mb'] * mib)} resident"),
    ] + pressure_rows(pressure)
    for key, value in rows:
        out.write(f"{key + ':':<14}{value}\n")
    return 0


def _cmd_quantize(args: argparse.Namespace, out: TextIO) -> int:
    from .files import quantize_model_file
    t0 = time.perf_counter()
    r = quantize_model_file(args.src, args.dst, args.scheme, progress=_progress(args))
    dt = time.perf_counter() - t0
    pct = 100.0 * r["bytes_out"] / r["bytes_in"] if r["bytes_in"] else 0.0
    out.write(f"{args.dst}: {r['tensors']} tensors ({r['quantized']} quantized {args.scheme}, {r['copied']} copied), "
              f"{human_bytes(r['bytes_in'])} -> {human_bytes(r['bytes_out'])} ({pct:.1f}%) in {dt:.2f} s\n")
    return 0


def _cmd_compress(args: argparse.Namespace, out: TextIO) -> int:
    from .files import compress_file
    size = os.path.getsize(args.src)
    t0 = time.perf_counter()
    written = compress_file(args.src, args.dst, level=args.level, progress=_progress(args))
    dt = time.perf_counter() - t0
    ratio = written / size if size else 0.0
    out.write(f"{args.dst}: {human_bytes(size)} -> {human_bytes(written)} ({ratio:.3f}) in {dt:.2f} s, "
              f"{size / max(dt, 1e-9) / 1e6:,.0f} MB/s\n")
    return 0


def _cmd_decompress(args: argparse.Namespace, out: TextIO) -> int:
    from .files import decompress_file
    size = os.path.getsize(args.src)
    t0 = time.perf_counter()
    written = decompress_file(args.src, args.dst, progress=_progress(args))
    dt = time.perf_counter() - t0
    out.write(f"{args.dst}: {human_bytes(size)} -> {human_bytes(written)} in {dt:.2f} s, "
              f"{written / max(dt, 1e-9) / 1e6:,.0f} MB/s\n")
    return 0


def _cmd_inspect(args: argparse.Namespace, out: TextIO) -> int:
    from .files import read_safetensors_header
    header = read_safetensors_header(args.file)
    if args.json:
        out.write(json.dumps(header, indent=2) + "\n")
        return 0
    tensors: List[Dict[str, Any]] = header["tensors"]
    meta: Dict[str, str] = header.get("metadata") or {}
    rows = [(t["name"], t["dtype"], "(" + ", ".join(str(d) for d in t["shape"]) + ("," if len(t["shape"]) == 1 else "") + ")",
             human_bytes(t["length"])) for t in tensors]
    heads = ("name", "dtype", "shape", "size")
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(heads)]
    line = "  ".join(f"{{:<{w}}}" if i < 3 else f"{{:>{w}}}" for i, w in enumerate(widths))
    out.write(line.format(*heads) + "\n")
    for r in rows:
        out.write(line.format(*r) + "\n")
    total = sum(t["length"] for t in tensors)
    params = sum(math.prod(t["shape"]) for t in tensors)
    out.write(f"{len(tensors)} tensors, {params:,} values, {human_bytes(total)} of data, "
              f"{human_bytes(os.path.getsize(args.file))} file\n")
    if meta:
        scheme = meta.get("jrx.scheme")
        shown = {k: (v if len(v) <= 60 else v[:57] + "...") for k, v in sorted(meta.items())}
        if scheme:
            out.write(f"quantized with scheme {scheme} by jarvis_rust_extensions\n")
        out.write("metadata: " + ", ".join(f"{k}={v}" for k, v in shown.items()) + "\n")
    return 0


def _cmd_demo(args: argparse.Namespace, out: TextIO) -> int:
    from .demo import run_demo
    if not args.size_mb > 0 or not math.isfinite(args.size_mb):
        raise _UsageError("--size-mb must be a positive number")
    run_demo(size_mb=args.size_mb, directory=args.dir, out=out)
    return 0


class _UsageError(Exception):
    """A mistake in the arguments found after parsing (exit status 2)."""


def _describe(exc: BaseException) -> str:
    if isinstance(exc, OSError) and exc.strerror:
        where = exc.filename if exc.filename is not None else None
        return f"{exc.strerror}: {where}" if where is not None else exc.strerror
    return str(exc) or type(exc).__name__


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Run the command line with ``argv`` (default ``sys.argv[1:]``) and return the exit status."""
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 2)
    try:
        return int(args.func(args, sys.stdout))
    except _UsageError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:  # output piped into something that stopped reading (| head)
        try:
            sys.stdout = open(os.devnull, "w")
        except OSError:
            pass
        return 1
    except (OSError, ValueError, TypeError) as exc:
        print(f"error: {_describe(exc)}", file=sys.stderr)
        return 1
