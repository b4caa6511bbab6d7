"""jarvis_rust_extensions: memory monitoring, quantization, LZ4 and zero-copy model loading.

A drop-in replacement, written in Go and bound with gopy, for the original Rust extension used by
JARVIS's ML memory manager. See README.md for the API and how it differs from the original.
"""

from ._version import __version__  # first: refuses an extension from another release
from ._errors import ForkedProcessError, InvalidModelDataError, LZ4BlockError
from .compression import compress_data_lz4, decompress_data_lz4
from .files import (compress_file, decompress_file, load_npy, load_quantized_model_file, load_safetensors,
                    quantize_model_file)
from .loader import RustModelLoader
from .monitor import RustMemoryMonitor, get_system_memory_info
from ._types import (CleanupResult, CleanupSuggestion, Int8Result, MemoryMap, MemoryStats,  # for annotations
                     QuantizeModelResult)
from .quant import (QuantizedTensor, dequantize, dequantize_gguf, pack_int4, quantize_fp16, quantize_gguf,
                    quantize_int4, quantize_int8, unpack_int4)

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
