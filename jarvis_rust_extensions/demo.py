"""The ``demo`` command: the seed's "Memory Savings" section, measured on a synthetic model.

It writes a deterministic, transformer-shaped float32 model (weights drawn from N(0, 0.02) with a
few outlier channels, as trained weights have) as ``.safetensors`` into a temporary directory,
quantizes it with every scheme, reads each result back, and prints size, reduction, error and
time per scheme; then compresses the float32 file with LZ4 and memory-maps it. The temporary
directory is removed at the end, whatever happens.
"""

from __future__ import annotations

import json
import math
import os
import struct
import sys
import tempfile
import time
from typing import Dict, Iterator, List, Optional, TextIO, Tuple

import numpy as np

from ._format import human_bytes
from .files import SCHEMES, compress_file, decompress_file, load_quantized_model_file, load_safetensors, quantize_model_file

__all__ = ["run_demo", "write_synthetic_model"]

_SEED = 20240611
_STD = 0.02
_MIB = 1024 * 1024

Shape = Tuple[int, ...]


def _layout(size_mb: float) -> Tuple[int, List[Tuple[str, Shape]]]:
    """Tensor names and shapes of a model of about ``size_mb`` MiB of float32: an embedding,
    ``n`` transformer layers (attention q/k/v/o, an MLP with 4x expansion, two norms, biases),
    and a final norm. The hidden size grows with the model so layers stay realistic."""
    params = max(1, int(size_mb * _MIB / 4))
    hidden = 1024 if size_mb >= 192 else 512 if size_mb >= 48 else 256 if size_mb >= 8 else 64
    vocab = 8 * hidden
    per_layer = 12 * hidden * hidden
    layers = max(1, round((params - vocab * hidden) / per_layer))
    shapes: List[Tuple[str, Shape]] = [("model.embed_tokens.weight", (vocab, hidden))]
    for i in range(layers):
        p = f"model.layers.{i}."
        shapes += [
            (p + "input_layernorm.weight", (hidden,)),
            (p + "self_attn.q_proj.weight", (hidden, hidden)),
            (p + "self_attn.k_proj.weight", (hidden, hidden)),
            (p + "self_attn.v_proj.weight", (hidden, hidden)),
            (p + "self_attn.o_proj.weight", (hidden, hidden)),
            (p + "self_attn.o_proj.bias", (hidden,)),
            (p + "post_attention_layernorm.weight", (hidden,)),
            (p + "mlp.up_proj.weight", (4 * hidden, hidden)),
            (p + "mlp.down_proj.weight", (hidden, 4 * hidden)),
        ]
    shapes.append(("model.norm.weight", (hidden,)))
    return layers, shapes


def _tensor(name: str, shape: Shape, rng: np.random.Generator) -> np.ndarray:
    """Deterministic realistic values: N(0, 0.02) weights with ~1% outlier input channels (x8) and a
    few outlier rows (x4); norm weights near 1; biases near 0."""
    if name.endswith("layernorm.weight") or name.endswith("norm.weight"):
        return (1.0 + 0.05 * rng.standard_normal(shape, dtype=np.float32)).astype(np.float32)
    arr = rng.standard_normal(shape, dtype=np.float32)
    arr *= np.float32(_STD)
    if len(shape) == 2:
        cols = rng.choice(shape[1], size=max(1, shape[1] // 100), replace=False)
        arr[:, cols] *= np.float32(8.0)
        rows = rng.choice(shape[0], size=max(1, shape[0] // 256), replace=False)
        arr[rows, :] *= np.float32(4.0)
    return arr


def write_synthetic_model(path: str, size_mb: float, seed: int = _SEED) -> Dict[str, int]:
    """Write the synthetic float32 model to ``path`` as ``.safetensors`` (streamed: one tensor in
    memory at a time) and return ``{"layers", "tensors", "params", "bytes"}``."""
    layers, shapes = _layout(size_mb)
    header: Dict[str, object] = {"__metadata__": {"format": "pt", "source": "jarvis_rust_extensions demo"}}
    offset = 0
    for name, shape in shapes:
        n = 4 * math.prod(shape)
        header[name] = {"dtype": "F32", "shape": list(shape), "data_offsets": [offset, offset + n]}
        offset += n
    blob = json.dumps(header, separators=(",", ":")).encode()
    blob += b" " * (-len(blob) % 8)
    rng = np.random.default_rng(seed)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(blob)))
        f.write(blob)
        for name, shape in shapes:
            f.write(_tensor(name, shape, rng).data.cast("B"))
    return {"layers": layers, "tensors": len(shapes), "params": offset // 4, "bytes": os.path.getsize(path)}


def _rss() -> int:
    from .monitor import RustMemoryMonitor
    return int(RustMemoryMonitor(0.0).get_memory_map()["memory"])


def _errors(original: Dict[str, np.ndarray], restored: Dict[str, np.ndarray]) -> Tuple[float, float]:
    """Max and mean absolute error over every value of every tensor (restored is consumed)."""
    worst, total, count = 0.0, 0.0, 0
    for name in list(restored):
        got = restored.pop(name)
        diff = np.abs(got - original[name], dtype=np.float32)
        if diff.size:
            worst = max(worst, float(diff.max()))
            total += float(diff.sum(dtype=np.float64))
            count += diff.size
    return worst, total / max(count, 1)


def _rows(model: str, work: str, info: Dict[str, int]) -> Iterator[Tuple[str, ...]]:
    size = info["bytes"]
    original = load_safetensors(model)
    yield ("fp32", human_bytes(size), "1.00x", "0", "0", "-", "-")
    for scheme in SCHEMES:
        out = os.path.join(work, f"model-{scheme}.safetensors")
        t0 = time.perf_counter()
        stats = quantize_model_file(model, out, scheme, progress=False)
        tq = time.perf_counter() - t0
        t0 = time.perf_counter()
        restored = load_quantized_model_file(out)
        tl = time.perf_counter() - t0
        worst, mean = _errors(original, restored)
        os.unlink(out)
        yield (scheme, human_bytes(stats["bytes_out"]), f"{size / stats['bytes_out']:.2f}x", f"{worst:.2e}",
               f"{mean:.2e}", f"{tq:.2f} s ({size / tq / 1e6:,.0f} MB/s)", f"{tl:.2f} s")


def _table(out: TextIO, heads: Tuple[str, ...], rows: List[Tuple[str, ...]]) -> None:
    widths = [max(len(r[i]) for r in [heads] + rows) for i in range(len(heads))]
    for r in [heads] + rows:
        out.write("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(r, widths))).rstrip() + "\n")
        out.flush()


def run_demo(size_mb: float = 256.0, directory: Optional[str] = None, out: Optional[TextIO] = None) -> None:
    """Run the demo on a model of about ``size_mb`` MiB, in a temporary directory made under
    ``directory`` (default: the system's), printing to ``out`` (default stdout)."""
    out = out if out is not None else sys.stdout
    with tempfile.TemporaryDirectory(prefix="jrx-demo-", dir=directory) as work:
        model = os.path.join(work, "model-fp32.safetensors")
        t0 = time.perf_counter()
        info = write_synthetic_model(model, size_mb)
        out.write(f"Synthetic model: {info['layers']} layers, {info['tensors']} tensors, {info['params']:,} float32 "
                  f"values, {human_bytes(info['bytes'])} (written in {time.perf_counter() - t0:.1f} s)\n\n")
        out.flush()

        heads = ("scheme", "size", "reduction", "max abs err", "mean abs err", "quantize", "load+dequantize")
        _table(out, heads, list(_rows(model, work, info)))

        size = info["bytes"]
        packed = os.path.join(work, "model-fp32.safetensors.lz4")
        t0 = time.perf_counter()
        written = compress_file(model, packed, progress=False)
        tc = time.perf_counter() - t0
        t0 = time.perf_counter()
        decompress_file(packed, os.path.join(work, "roundtrip.safetensors"), progress=False)
        td = time.perf_counter() - t0
        out.write(f"\nLZ4 (compress_file, level 0) of the fp32 model: {human_bytes(size)} -> {human_bytes(written)} "
                  f"(ratio {written / size:.3f}) in {tc:.2f} s, {size / tc / 1e6:,.0f} MB/s; "
                  f"decompress_file {td:.2f} s, {size / td / 1e6:,.0f} MB/s\n")

        rss0 = _rss()
        t0 = time.perf_counter()
        tensors = load_safetensors(model)
        tm = time.perf_counter() - t0
        grown = _rss() - rss0
        out.write(f"load_safetensors: {len(tensors)} tensors in {tm * 1e3:.1f} ms, zero-copy "
                  f"(resident memory grew {human_bytes(max(grown, 0))} for a {human_bytes(size)} file)")
        del tensors
        try:
            from safetensors.numpy import load_file
        except ImportError:
            out.write("\n")
        else:
            t0 = time.perf_counter()
            copied = load_file(model)
            out.write(f"; safetensors.numpy.load_file copies it: {(time.perf_counter() - t0) * 1e3:.0f} ms\n")
            del copied
        out.flush()
