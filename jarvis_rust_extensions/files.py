"""Model files and streams: zero-copy ``.safetensors``/``.npy`` loading, whole-model quantization,
and streaming LZ4 file compression.

Loading maps the file once (Go validates the header from the mapped bytes) and returns read-only
numpy views into that one mapping: nothing is copied, pages are read on first touch, and the file
stays mapped while any of the arrays is alive.

The long calls (``quantize_model_file``, ``compress_file``, ``decompress_file``) run in Go on a
background goroutine, through ``_jobs.run_job``: this thread waits in short slices with the GIL
released, reports progress between slices, and on ``KeyboardInterrupt`` (or an exception from a
progress callback) cancels the Go work, which removes its temporary file and leaves the
destination as it was.

numpy (and the quantization engine) are imported by the calls that return arrays, not with this
module: ``compress_file``, ``decompress_file`` and ``quantize_model_file`` work without numpy.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any, Callable, Dict, Tuple, Union

from . import _native
from ._convert import as_int, as_path
from ._mapped import mapping_array, open_mapping
from ._jobs import run_job
from ._progress import resolve
from ._schemes import SCHEMES, parse_scheme

if TYPE_CHECKING:  # imported where used: numpy costs ~60 ms and ~20 MiB
    import numpy as np

    from .quant import QuantizedTensor

__all__ = ["load_safetensors", "load_npy", "quantize_model_file", "load_quantized_model_file", "compress_file",
           "decompress_file", "SCHEMES"]

_DTYPES: Dict[str, np.dtype] = {}  # safetensors dtype name -> numpy dtype, filled on first use
_FLOAT_DTYPES = ("F64", "F32", "F16", "BF16")

# Keys of a quantized file's __metadata__ (written by jarvisrs/modelquant).
_META_FORMAT, _META_FORMAT_VALUE = "jrx.format", "jarvis-quantized-safetensors/1"
_META_SCHEME, _META_TENSORS = "jrx.scheme", "jrx.tensors"
_SCALE_SUFFIX = ".scale"

Progress = Union[None, bool, Callable[[int, int], Any]]


# --- zero-copy loading --------------------------------------------------------------------------

def _map_with_header(path: Any, header_fn: str) -> Tuple[np.ndarray, Dict[str, Any]]:
    """Map ``path`` and parse its header with the Go method ``header_fn`` of the mapping.

    Returns the whole file as a read-only ``uint8`` array (its ``base`` owns the mapping) and the
    header JSON as a dict. A malformed header unmaps the file and raises ``ValueError``.
    """
    handle = open_mapping(as_path(path), display=path)
    try:
        header = json.loads(_native.call(header_fn, handle.value, filename=path))
    except BaseException:
        _native.lib.jarvisrs_Mapping_Close(handle.value)
        raise
    return mapping_array(handle), header


def _dtype_table() -> Dict[str, np.dtype]:
    """The safetensors dtypes as numpy dtypes (BF16: ``ml_dtypes.bfloat16`` when installed, else its
    raw bits as ``np.uint16``), built on the first call."""
    if not _DTYPES:
        import numpy as np
        try:  # pragma: no cover - depends on the environment
            import ml_dtypes  # type: ignore[import-not-found,unused-ignore]  # optional, untyped
            bf16: np.dtype = np.dtype(ml_dtypes.bfloat16)
        except ImportError:  # BF16 tensors come back as their raw bits
            bf16 = np.dtype(np.uint16)
        _DTYPES.update({
            "F64": np.dtype("<f8"), "F32": np.dtype("<f4"), "F16": np.dtype("<f2"), "BF16": bf16,
            "I64": np.dtype("<i8"), "I32": np.dtype("<i4"), "I16": np.dtype("<i2"), "I8": np.dtype("i1"),
            "U64": np.dtype("<u8"), "U32": np.dtype("<u4"), "U16": np.dtype("<u2"), "U8": np.dtype("u1"),
            "BOOL": np.dtype("?"),
        })
    return _DTYPES


def _dtype(name: str) -> np.dtype:
    try:
        return _dtype_table()[name]
    except KeyError:
        raise ValueError(f"unsupported safetensors dtype {name!r}") from None


def _tensor_views(base: np.ndarray, tensors: Any) -> Dict[str, np.ndarray]:
    import numpy as np
    out: Dict[str, np.ndarray] = {}
    for t in tensors:
        out[t["name"]] = np.ndarray(tuple(t["shape"]), dtype=_dtype(t["dtype"]), buffer=base, offset=t["offset"])
    return out


def _load_safetensors_meta(path: Any) -> Tuple[Dict[str, np.ndarray], Dict[str, str]]:
    base, header = _map_with_header(path, "jarvisrs_Mapping_SafetensorsHeader")
    return _tensor_views(base, header["tensors"]), header.get("metadata") or {}


def read_safetensors_header(path: Any) -> Dict[str, Any]:
    """The validated header of a ``.safetensors`` file, without touching its tensor data.

    Returns:
        ``{"data_start": int, "metadata": {str: str} | None, "tensors": [{"name", "dtype",
        "shape", "offset", "length"}, ...]}``, tensors in file order, offsets in bytes from the
        start of the file, lengths in bytes.

    Raises:
        ValueError: a malformed header. FileNotFoundError, OSError: as ``open`` would.
    """
    _, header = _map_with_header(path, "jarvisrs_Mapping_SafetensorsHeader")
    return header


def load_safetensors(path: Any) -> Dict[str, np.ndarray]:
    """Every tensor of a ``.safetensors`` file as a read-only numpy array over one memory map.

    Nothing is copied: the arrays view the mapped file (``np.shares_memory`` holds between them and
    the mapping), the file stays mapped while any of them is alive, and a page is read only when
    touched. dtypes: F64, F32, F16, I64, I32, I16, I8, U64, U32, U16, U8, BOOL as the numpy types
    of those names; BF16 as ``ml_dtypes.bfloat16`` when ``ml_dtypes`` is installed, else as its
    raw bits (``np.uint16``).

    Args:
        path: the file (str, bytes or os.PathLike).

    Returns:
        ``{name: array}`` in file order.

    Raises:
        ValueError: a malformed header (bad length, bad JSON, offsets out of range, overlapping or
            leaving gaps, unknown dtype, header over 100 MB), checked before any tensor is viewed.
        FileNotFoundError, IsADirectoryError, PermissionError, OSError: as ``open`` would.
    """
    return _load_safetensors_meta(path)[0]


def load_npy(path: Any) -> np.ndarray:
    """A ``.npy`` file as a read-only numpy array backed by a memory map (no copy).

    Supports format versions 1.0-3.0 and little-endian numeric and bool dtypes; Fortran-ordered
    files come back Fortran-ordered.

    Raises:
        ValueError: a malformed file, or one holding objects, strings, structured or big-endian data.
        FileNotFoundError, IsADirectoryError, PermissionError, OSError: as ``open`` would.
    """
    import numpy as np
    base, h = _map_with_header(path, "jarvisrs_Mapping_NpyHeader")
    arr: np.ndarray = np.ndarray(tuple(h["shape"]), dtype=np.dtype(h["descr"]), buffer=base, offset=h["offset"],
                                 order="F" if h["fortran_order"] else "C")
    return arr


def quantize_model_file(src: Any, dst: Any, scheme: str, *, progress: Progress = None) -> Dict[str, Any]:
    """Quantize a ``.safetensors`` model file into another one, streaming from a memory map.

    Every floating tensor (F32, F16, BF16, F64) with two or more dimensions is quantized by
    ``scheme``:

    - ``"int8"``: per-channel symmetric along axis 0; an ``I8`` tensor of the original shape and
      ``<name>.scale`` (F32, one per row of axis 0).
    - ``"int4"``: groups of 32 consecutive values; packed ``U8`` nibbles and ``<name>.scale``.
    - ``"fp16"``: an ``F16`` tensor.
    - ``"q8_0"`` / ``"q4_0"``: llama.cpp blocks along the last axis, as raw ``U8``; a tensor whose
      last axis is not a multiple of 32 is copied unquantized (and marked so).

    Everything else is copied byte for byte. ``__metadata__`` keeps the source's entries and adds
    ``jrx.scheme`` and ``jrx.tensors`` (JSON: per tensor its original dtype and shape and what was
    done). The output loads with ``safetensors.numpy.load_file``; ``load_quantized_model_file``
    reads it back as float32. Memory stays near the largest output tensor: the source is never
    read whole, and its pages are released as the work moves on. ``dst`` is written atomically.

    Args:
        src: the model (str, bytes or os.PathLike). dst: where to write the quantized model.
        scheme: one of ``SCHEMES`` (any letter case).
        progress: ``None`` (a bar on stderr when it is a terminal), ``False``, or a callable taking
            ``(done_bytes, total_bytes)`` of source tensor data.

    Returns:
        ``{"tensors": int, "bytes_in": int, "bytes_out": int, "quantized": int, "copied": int,
        "scheme": str}``: source tensors, source and output file sizes in bytes.

    Raises:
        ValueError: a bad scheme, a malformed model, NaN or infinity in a tensor to quantize, a
            model that is already quantized, or names that clash with the ``.scale`` tensors.
        FileNotFoundError, OSError: unreadable ``src`` or unwritable ``dst``.
        KeyboardInterrupt: interrupted; ``dst`` is left as it was and no temporary file remains.
    """
    s = parse_scheme(scheme)
    sp, dp = as_path(src, "src"), as_path(dst, "dst")
    cb = resolve(progress, f"quantize {s}")
    job = _native.Handle(_native.call("jarvisrs_QuantizeModelFileJob", sp, dp, s, filename=src))
    return run_job(job, cb)


def compress_file(src: Any, dst: Any, *, level: int = 0, progress: Progress = None) -> int:
    """Compress a file into an LZ4 frame, streaming, in bounded memory (well under 64 MiB).

    The frame has a content checksum and size and independent blocks compressed on all cores;
    ``lz4 -d`` and ``lz4.frame`` read it. ``dst`` is written atomically.

    Args:
        src, dst: paths (str, bytes or os.PathLike).
        level: liblz4's level, 0 (fastest) to 12 (smallest).
        progress: ``None`` (a bar on stderr when it is a terminal), ``False``, or a callable taking
            ``(done_bytes, total_bytes)`` of ``src``.

    Returns:
        Bytes written to ``dst``.

    Raises:
        ValueError: ``level`` outside 0..12. TypeError: a non-integer level.
        FileNotFoundError, OSError: unreadable ``src`` or unwritable ``dst``.
    """
    lvl = as_int(level, "level")
    if not 0 <= lvl <= 12:
        raise ValueError(f"level must be between 0 and 12, got {lvl}")
    sp, dp = as_path(src, "src"), as_path(dst, "dst")
    cb = resolve(progress, "compress")
    job = _native.Handle(_native.call("jarvisrs_CompressFileJob", sp, dp, lvl, filename=src))
    return int(run_job(job, cb)["bytes_written"])


def decompress_file(src: Any, dst: Any, *, progress: Progress = None) -> int:
    """Decompress an LZ4 frame file (``lz4``, ``lz4.frame`` or ``compress_file`` output), streaming.

    Concatenated and skippable frames, any block size, linked or independent blocks are read, and
    every checksum is verified before ``dst`` appears (atomically).

    Returns:
        Bytes written to ``dst``.

    Raises:
        ValueError: ``src`` is not LZ4 frame data, or is corrupt or truncated.
        FileNotFoundError, OSError: unreadable ``src`` or unwritable ``dst``.
    """
    sp, dp = as_path(src, "src"), as_path(dst, "dst")
    cb = resolve(progress, "decompress")
    job = _native.Handle(_native.call("jarvisrs_DecompressFileJob", sp, dp, filename=src))
    return int(run_job(job, cb, corrupt=ValueError)["bytes_written"])


# --- reading quantized files --------------------------------------------------------------------

def _records(meta: Dict[str, str], path: Any) -> Dict[str, Dict[str, Any]]:
    if meta.get(_META_FORMAT) != _META_FORMAT_VALUE or _META_TENSORS not in meta:
        raise ValueError(f"{path!s} is not a quantized model written by quantize_model_file")
    try:
        records = json.loads(meta[_META_TENSORS])
    except ValueError:
        raise ValueError(f"{path!s}: damaged {_META_TENSORS} metadata") from None
    if not isinstance(records, dict):
        raise ValueError(f"{path!s}: damaged {_META_TENSORS} metadata")
    return records


def _to_float32(arr: np.ndarray, dtype_name: str) -> np.ndarray:
    import numpy as np
    if dtype_name == "BF16" and arr.dtype == np.uint16:
        return (arr.astype(np.uint32) << 16).view(np.float32)
    return arr.astype(np.float32)


def _quantized_entry(name: str, rec: Dict[str, Any], tensors: Dict[str, np.ndarray]) -> Union[QuantizedTensor, np.ndarray]:
    """One source tensor of a quantized file: a QuantizedTensor (int8, int4) or an array view."""
    from .quant import QuantizedTensor
    method, shape = rec["method"], tuple(int(d) for d in rec["shape"])
    data = tensors[name]
    if method == "int8":
        return QuantizedTensor(data=data, scale=tensors[name + _SCALE_SUFFIX], zero_point=None, shape=shape, axis=0,
                               group_size=None, bits=8)
    if method == "int4":
        return QuantizedTensor(data=data, scale=tensors[name + _SCALE_SUFFIX], zero_point=None, shape=shape, axis=None,
                               group_size=int(rec.get("group_size", 32)), bits=4)
    if method in ("fp16", "q8_0", "q4_0", "copy"):
        return data
    raise ValueError(f"tensor {name!r}: unknown method {method!r}")


def _quantized_tensors(tensors: Dict[str, np.ndarray], meta: Dict[str, str], path: Any) -> Dict[str, Any]:
    try:
        return {name: _quantized_entry(name, rec, tensors) for name, rec in _records(meta, path).items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path!s}: quantized model metadata does not match its tensors ({exc!r})") from None


def load_quantized_tensors_file(path: Any) -> Dict[str, Union[QuantizedTensor, np.ndarray]]:
    """A quantized model file's tensors, zero-copy, without dequantizing.

    Returns:
        ``{original name: value}``: ``QuantizedTensor`` for int8 and int4 tensors (read-only views
        of the mapped file), ``np.float16`` arrays for fp16, the raw ``np.uint8`` llama.cpp blocks
        for q8_0/q4_0 (decode with ``dequantize_gguf(blocks, "Q8_0", shape)``), and copied tensors
        as they are stored.

    Raises:
        ValueError: not a file written by ``quantize_model_file``, or damaged.
    """
    tensors, meta = _load_safetensors_meta(path)
    return _quantized_tensors(tensors, meta, path)


def load_quantized_model_file(path: Any) -> Dict[str, np.ndarray]:
    """Read a ``quantize_model_file`` output back: every tensor dequantized to its original shape.

    Returns:
        ``{name: array}`` for the source's tensors (not the ``.scale`` ones): floating tensors as
        ``np.float32`` (dequantized, or converted when they were copied), other tensors in their
        own dtype as read-only views of the file.

    Raises:
        ValueError: not a file written by ``quantize_model_file``, or damaged.
        FileNotFoundError, OSError: as ``open`` would.
    """
    import numpy as np

    from .quant import QuantizedTensor, dequantize, dequantize_gguf
    tensors, meta = _load_safetensors_meta(path)
    records = _records(meta, path)
    out: Dict[str, np.ndarray] = {}
    try:
        for name, rec in records.items():
            value = _quantized_entry(name, rec, tensors)
            method, shape = rec["method"], tuple(int(d) for d in rec["shape"])
            if isinstance(value, QuantizedTensor):
                out[name] = dequantize(value)
            elif method in ("q8_0", "q4_0"):
                out[name] = dequantize_gguf(value, method.upper(), shape)
            elif method == "fp16":
                out[name] = value.astype(np.float32)
            elif rec["dtype"] in _FLOAT_DTYPES:
                out[name] = _to_float32(value, rec["dtype"])
            else:
                out[name] = value
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path!s}: quantized model metadata does not match its tensors ({exc!r})") from None
    return out
