# Type stubs for jarvis_rust_extensions (the public API; see README.md for units and formulas).
import os
from dataclasses import dataclass
from typing import Any, Callable, Dict, Literal, Optional, Protocol, Sequence, Tuple, TypedDict, Union

import numpy as np
import numpy.typing as npt

from ._types import CleanupResult as CleanupResult
from ._types import CleanupSuggestion as CleanupSuggestion
from ._types import Int8Result as Int8Result
from ._types import MemoryMap as MemoryMap
from ._types import MemoryStats as MemoryStats
from ._types import QuantizeModelResult as QuantizeModelResult

__version__: str

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

_Path = Union[str, bytes, os.PathLike[str], os.PathLike[bytes]]
_BytesLike = Union[bytes, bytearray, memoryview, npt.NDArray[Any]]
_Floats = Union[Sequence[float], npt.NDArray[Any]]

class _NamedKind(Protocol):
    """A ``gguf.GGMLQuantizationType`` member (Q8_0 or Q4_0): anything whose ``name`` is the kind."""
    @property
    def name(self) -> str: ...

_GGUFKind = Union[Literal["Q8_0", "Q4_0", "q8_0", "q4_0"], _NamedKind]

class ForkedProcessError(RuntimeError): ...
class InvalidModelDataError(OSError, ValueError): ...
class LZ4BlockError(RuntimeError, ValueError): ...

_PressureLevel = Literal["low", "medium", "high", "critical", "emergency"]

class _PSIFigures(TypedDict):
    source: str
    some_avg10: float
    some_avg60: float
    some_avg300: float
    some_total_us: int
    full_avg10: Optional[float]
    full_avg60: Optional[float]
    full_avg300: Optional[float]
    full_total_us: Optional[int]

class _VMPressure(TypedDict):
    source: Literal["kern.memorystatus_vm_pressure_level"]
    level: Literal["normal", "warn", "critical"]

class _MemoryPressure(TypedDict):
    level: _PressureLevel
    available_mb: float
    thresholds_mb: Tuple[float, float, float, float]
    trend_mb_per_s: Optional[float]
    kernel: Union[_PSIFigures, _VMPressure, None]

def get_system_memory_info() -> Tuple[int, int, float]: ...
def compress_data_lz4(data: _BytesLike) -> bytes: ...
def decompress_data_lz4(data: _BytesLike, uncompressed_size: Optional[int] = None) -> bytes: ...

class RustMemoryMonitor:
    def __init__(self, update_interval: Optional[float] = None, *,
                 pressure_thresholds_mb: Sequence[float] = (4096.0, 2048.0, 1024.0, 512.0)) -> None: ...
    @property
    def update_interval(self) -> float: ...
    @property
    def pressure_thresholds_mb(self) -> Tuple[float, float, float, float]: ...
    def get_memory_pressure(self) -> _MemoryPressure: ...
    def wait_for_memory_pressure(self, level: _PressureLevel, timeout: Optional[float] = None) -> bool: ...
    async def wait_for_memory_pressure_async(self, level: _PressureLevel, timeout: Optional[float] = None) -> bool: ...
    def get_memory_stats(self) -> MemoryStats: ...
    def update_ml_stats(self, models_mb: float, models_count: int) -> None: ...
    def get_memory_map(self) -> MemoryMap: ...
    def is_memory_available(self, required_mb: float, threshold_percent: float) -> bool: ...
    def suggest_cleanup(self, target_mb: float) -> CleanupResult: ...

class RustModelLoader:
    def __init__(self, cache_dir: Optional[_Path] = None, compression_level: Optional[int] = None) -> None: ...
    @property
    def cache_dir(self) -> str: ...
    @property
    def compression_level(self) -> int: ...
    def load_quantized_model(self, path: _Path, quantize_to_int8: bool) -> bytes: ...
    def compress_model(self, data: _BytesLike) -> bytes: ...
    def decompress_model(self, data: _BytesLike) -> bytes: ...
    def quantize_array_int8(self, data: _Floats) -> Int8Result: ...
    def quantize_array_fp16(self, data: _Floats) -> bytes: ...
    def mmap_model(self, path: _Path) -> memoryview: ...
    def clear_cache(self) -> None: ...
    def load_quantized_tensors(self, path: _Path, scheme: str = "int8") -> Dict[str, Union["QuantizedTensor", npt.NDArray[Any]]]: ...

@dataclass(frozen=True)
class QuantizedTensor:
    data: npt.NDArray[Union[np.int8, np.uint8]]
    scale: npt.NDArray[np.float32]
    zero_point: Optional[npt.NDArray[np.int8]]
    shape: Tuple[int, ...]
    axis: Optional[int] = None
    group_size: Optional[int] = None
    bits: int = 8
    def __post_init__(self) -> None: ...
    @property
    def nbytes(self) -> int: ...

def quantize_int8(x: npt.ArrayLike, *, axis: Optional[int] = None, symmetric: bool = True) -> QuantizedTensor: ...
def quantize_int4(x: npt.ArrayLike, *, group_size: int = 32) -> QuantizedTensor: ...
def pack_int4(codes: npt.ArrayLike) -> npt.NDArray[np.uint8]: ...
def unpack_int4(packed: npt.ArrayLike, count: int) -> npt.NDArray[np.int8]: ...
def quantize_fp16(x: npt.ArrayLike) -> npt.NDArray[np.float16]: ...
def dequantize(qt: QuantizedTensor) -> npt.NDArray[np.float32]: ...
def quantize_gguf(x: npt.ArrayLike, kind: _GGUFKind) -> bytes: ...
def dequantize_gguf(data: _BytesLike, kind: _GGUFKind, shape: Union[int, Sequence[int]]) -> npt.NDArray[np.float32]: ...

# --- model files and streams (jarvis_rust_extensions/files.py) ---
_Progress = Union[None, bool, Callable[[int, int], Any]]
_Scheme = Literal["int8", "int4", "fp16", "q8_0", "q4_0"]

def load_safetensors(path: _Path) -> Dict[str, npt.NDArray[Any]]: ...
def load_npy(path: _Path) -> npt.NDArray[Any]: ...
def quantize_model_file(src: _Path, dst: _Path, scheme: _Scheme, *, progress: _Progress = None) -> QuantizeModelResult: ...
def load_quantized_model_file(path: _Path) -> Dict[str, npt.NDArray[Any]]: ...
def compress_file(src: _Path, dst: _Path, *, level: int = 0, progress: _Progress = None) -> int: ...
def decompress_file(src: _Path, dst: _Path, *, progress: _Progress = None) -> int: ...
