"""Caller code typed against the stubs: checked by ``mypy --strict`` (CI step 60-typing), never run.

The lines marked ``# type: ignore[code]`` must stay errors: strict mode reports an unused ignore,
so a stub that grows too loose (say ``kind`` back to ``Any``) fails the check as surely as one
that rejects correct code.
"""

from __future__ import annotations

from typing import Dict, List, Union

import gguf
import numpy as np
import numpy.typing as npt

import jarvis_rust_extensions as jre
from jarvis_rust_extensions import (CleanupResult, CleanupSuggestion, Int8Result, MemoryMap, MemoryStats,
                                    QuantizedTensor, QuantizeModelResult)


def monitor() -> None:
    mon = jre.RustMemoryMonitor(0.5)
    stats: MemoryStats = mon.get_memory_stats()
    total: float = stats["total_mb"]
    count: int = stats["ml_models_count"]
    source: str = stats["limit_source"]
    stats["no_such_key"]  # type: ignore[typeddict-item]
    count = stats["total_mb"]  # type: ignore[assignment]
    mapping: MemoryMap = mon.get_memory_map()
    name: str = mapping["name"]
    cleanup: CleanupResult = mon.suggest_cleanup(100.0)
    first: List[CleanupSuggestion] = cleanup["suggestions"][:1]
    pids: List[int] = [s["pid"] for s in first]
    ok: bool = mon.is_memory_available(1.0, 90.0)
    info: tuple[int, int, float] = jre.get_system_memory_info()
    print(total, count, source, name, pids, ok, info)


def loader() -> None:
    ld = jre.RustModelLoader(cache_dir="/tmp/cache", compression_level=4)
    result: Int8Result = ld.quantize_array_int8([1.0, 2.0])
    codes: bytes = result["data"]
    view: memoryview = ld.mmap_model("model.bin")
    tensors: Dict[str, Union[QuantizedTensor, npt.NDArray[np.generic]]] = ld.load_quantized_tensors("m.safetensors")
    ld.load_quantized_tensors("m.safetensors", scheme=4)  # type: ignore[arg-type]
    packed: bytes = jre.compress_data_lz4(codes)
    print(view, tensors, jre.decompress_data_lz4(packed, len(codes)))


def quantization() -> None:
    x = np.ones((2, 32), np.float32)
    qt = jre.quantize_int8(x, axis=0, symmetric=False)
    qt.bits = 4  # type: ignore[misc]
    restored: npt.NDArray[np.float32] = jre.dequantize(qt)
    jre.quantize_int8(x, 0)  # type: ignore[call-arg]  # axis is keyword-only
    jre.quantize_gguf(x, "Q8_0")
    jre.quantize_gguf(x, "q4_0")
    jre.quantize_gguf(x, gguf.GGMLQuantizationType.Q8_0)
    jre.quantize_gguf(x, "Q5_K")  # type: ignore[arg-type]
    jre.quantize_gguf(x, 8)  # type: ignore[arg-type]
    blocks = jre.quantize_gguf(x, "Q4_0")
    back: npt.NDArray[np.float32] = jre.dequantize_gguf(blocks, "Q4_0", (2, 32))
    print(restored, back, qt.nbytes + len(blocks))


def files() -> None:
    stats: QuantizeModelResult = jre.quantize_model_file("a.safetensors", "b.safetensors", "int4", progress=False)
    jre.quantize_model_file("a.safetensors", "b.safetensors", "int3")  # type: ignore[arg-type]
    written: int = jre.compress_file("a", "a.lz4", level=9, progress=lambda done, total: None)
    version: str = jre.__version__
    print(stats["bytes_out"], written, version)
