"""jarvis_rust_extensions: memory monitoring, quantization, LZ4 and zero-copy model loading.

A drop-in replacement, written in Go and bound with gopy, for the original Rust extension used by
JARVIS's ML memory manager. See README.md for the API and how it differs from the original.

Light to import: the monitor, the LZ4 functions and ``RustModelLoader`` are loaded at once and need
no numpy. The quantization engine and the model-file functions (which need numpy), and the
``TypedDict`` result types, are loaded on first use of their names (PEP 562 ``__getattr__``), so
a process that only watches memory or compresses bytes never imports numpy.
"""

from __future__ import annotations

import sys as _sys

# Loading the Go extension starts the Go runtime on a thread of its own; the first call into Go waits
# for it (about 1.5 ms). So the modules that make no Go call when imported come first, while the
# runtime starts, and then the version check: the first Go call, before any other can happen.
from . import _native
from ._errors import ForkedProcessError, InvalidModelDataError, LZ4BlockError
from .compression import compress_data_lz4, decompress_data_lz4
from . import _pressure  # the monitor's (and with it the array module)
from ._version import __version__  # refuses an extension from another release
from .loader import RustModelLoader  # these two call Go when imported (_fastpaths installs the C paths)
from .monitor import RustMemoryMonitor, get_system_memory_info

# Public name -> the submodule defining it, imported when the name is first looked up.
_LAZY = {
    **dict.fromkeys(("QuantizedTensor", "quantize_int8", "quantize_int4", "pack_int4", "unpack_int4", "quantize_fp16",
                     "dequantize", "quantize_gguf", "dequantize_gguf", "quant"), "quant"),
    **dict.fromkeys(("load_safetensors", "load_npy", "quantize_model_file", "load_quantized_model_file",
                     "compress_file", "decompress_file", "files"), "files"),
    **dict.fromkeys(("MemoryStats", "MemoryMap", "CleanupSuggestion", "CleanupResult", "Int8Result",
                     "QuantizeModelResult"), "_types"),  # for annotations
}


def __getattr__(name: str) -> object:
    """Import the submodule behind a lazily loaded public name (numpy comes with it) and return it."""
    source = _LAZY.get(name)
    if source is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    qualified = f"{__name__}.{source}"
    __import__(qualified)  # not `from . import`: that would ask this __getattr__ again, forever
    module = _sys.modules[qualified]
    value = module if name == source else getattr(module, name)
    globals()[name] = value  # later lookups do not come here again
    return value


def __dir__() -> list[str]:
    """The module's names, the lazily loaded ones included."""
    return sorted(set(globals()) | set(_LAZY))

__all__ = [
    "RustMemoryMonitor",
    "RustModelLoader",
    "get_system_memory_info",
    "compress_data_lz4",
    "decompress_data_lz4",
    "QuantizedTensor",
    "quantize_int8",
    "quantize_int4",
    "pack_int4",
    "unpack_int4",
    "quantize_fp16",
    "dequantize",
    "quantize_gguf",
    "dequantize_gguf",
    "ForkedProcessError",
    "InvalidModelDataError",
    "LZ4BlockError",
    "load_safetensors",
    "load_npy",
    "quantize_model_file",
    "load_quantized_model_file",
    "compress_file",
    "decompress_file",
    "MemoryStats",
    "MemoryMap",
    "CleanupSuggestion",
    "CleanupResult",
    "Int8Result",
    "QuantizeModelResult",
]
