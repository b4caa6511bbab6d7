"""jarvis_rust_extensions: memory monitoring, quantization, LZ4 and zero-copy model loading.

A drop-in replacement, written in Go and bound with gopy, for the original Rust extension used by
JARVIS's ML memory manager. See README.md for the API and how it differs from the original.
"""

from .monitor import RustMemoryMonitor, get_system_memory_info
from ._errors import ForkedProcessError, InvalidModelDataError, LZ4BlockError

__version__ = "2.0.0"

__all__ = [
    "RustMemoryMonitor",
    "get_system_memory_info",
    "ForkedProcessError",
    "InvalidModelDataError",
    "LZ4BlockError",
]
