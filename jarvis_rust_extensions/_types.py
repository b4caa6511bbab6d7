"""The shapes of the dicts the API returns, as ``TypedDict`` classes for type checkers.

They are real classes at runtime (not only in the stub) so ``jarvis_rust_extensions.MemoryStats``
and the rest can be imported and used in annotations; at runtime each result is a plain ``dict``.
"""

from __future__ import annotations

from typing import List, Literal, TypedDict

__all__ = ["MemoryStats", "MemoryMap", "CleanupSuggestion", "CleanupResult", "Int8Result", "QuantizeModelResult"]


class MemoryStats(TypedDict):
    """``RustMemoryMonitor.get_memory_stats()``: sizes in MiB, percentages 0-100."""

    total_mb: float
    available_mb: float
    used_mb: float
    system_percent: float
    process_mb: float
    ml_models_mb: float
    ml_models_count: int
    ml_percent: float
    limit_source: Literal["host", "cgroup"]


class MemoryMap(TypedDict):
    """``RustMemoryMonitor.get_memory_map()``: this process's virtual and resident bytes."""

    virtual_memory: int
    memory: int
    cpu_usage: float
    name: str


class CleanupSuggestion(TypedDict):
    """One process ``RustMemoryMonitor.suggest_cleanup()`` proposes to close."""

    process: str
    memory_mb: float
    pid: int


class CleanupResult(TypedDict):
    """``RustMemoryMonitor.suggest_cleanup()``: the suggestions and the MiB they would free."""

    suggestions: List[CleanupSuggestion]
    potential_freed_mb: float


class Int8Result(TypedDict):
    """``RustModelLoader.quantize_array_int8()``: int8 codes and the parameters to invert them."""

    data: bytes
    scale: float
    zero_point: float
    min_val: float
    max_val: float


class QuantizeModelResult(TypedDict):
    """``quantize_model_file()``: tensor counts and bytes read and written."""

    tensors: int
    bytes_in: int
    bytes_out: int
    quantized: int
    copied: int
    scheme: str
