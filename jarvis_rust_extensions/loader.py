"""``RustModelLoader``: LZ4 model compression, the compressed-model cache, quantization of arrays
the way the original did it, and zero-copy memory-mapped loading."""

from __future__ import annotations

import os
import stat
import sys
from array import array
TYPE_CHECKING = False
if TYPE_CHECKING:  # typing costs milliseconds to import: annotations only (PEP 563)
    from typing import Any, Dict, Optional

from . import _native
from ._convert import absolute_path, as_int, as_path, path_from_wire, wire_path
from ._errors import InvalidModelDataError
from ._mapped import map_memoryview
from ._vectors import float32_vector

__all__ = ["RustModelLoader"]

_PARAMS_LEN = 4  # scale, zero_point, min_val, max_val


def _blob_to_bytes(handle_value: int) -> bytes:
    """Move the bytes held by a Go Blob into a new ``bytes`` (one copy) and release the Blob."""
    handle = _native.Handle(handle_value)
    n = _native.lib.jarvisrs_Blob_Len(handle.value)
    out, dst = _native.new_bytes(n)
    _native.call("jarvisrs_Blob_CopyTo", handle.value, dst, n)
    return out


def _unsafe_reason(path: str) -> Optional[str]:
    """Why ``path`` may not serve as a cache directory (a symlink, another user's), or None."""
    try:
        st = os.lstat(path)
    except OSError:
        return None  # missing (it will be created) or unreadable (the Go side reports it)
    if stat.S_ISLNK(st.st_mode):
        return "is a symbolic link"
    if st.st_uid != os.geteuid():
        return f"belongs to another user (uid {st.st_uid})"
    return None


def _user_cache_dir() -> str:
    """This user's own cache directory: ``~/Library/Caches`` on macOS, else ``$XDG_CACHE_HOME``
    (when absolute) or ``~/.cache``; with ``jarvis_ml_cache`` inside."""
    if sys.platform == "darwin":
        base = os.path.join(os.path.expanduser("~"), "Library", "Caches")
    else:
        xdg = os.environ.get("XDG_CACHE_HOME", "")
        base = xdg if os.path.isabs(xdg) else os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "jarvis_ml_cache")


def _default_cache_dir() -> str:
    """``<tempdir>/jarvis_ml_cache``, or this user's cache directory (with a warning) when the shared
    one is a symlink or another user's: on a shared /tmp someone else may have created it first."""
    import tempfile  # here, not at import: it costs a few milliseconds (shutil, random, ...)
    shared = os.path.join(tempfile.gettempdir(), "jarvis_ml_cache")
    problem = _unsafe_reason(shared)
    if problem is None:
        return shared
    private = _user_cache_dir()
    import warnings
    warnings.warn(f"RustModelLoader: the default cache directory {shared} {problem}; using {private} instead",
                  RuntimeWarning, stacklevel=3)
    return private


class RustModelLoader:
    """Loads, compresses and quantizes models, with an on-disk cache of compressed models.

    Args:
        cache_dir: the cache directory (default ``<tempfile.gettempdir()>/jarvis_ml_cache``),
            created like ``mkdir -p`` with mode 0700. When that default is a symbolic link or
            belongs to another user, the loader warns (``RuntimeWarning``) and uses this user's own
            cache directory instead (``~/.cache/jarvis_ml_cache``, or under ``$XDG_CACHE_HOME``;
            ``~/Library/Caches/jarvis_ml_cache`` on macOS).
        compression_level: LZ4 level, liblz4's meaning: 0 (default, fastest) to 12 (smallest).

    Raises:
        ValueError: ``compression_level`` outside 0..12.
        OSError: the cache directory cannot be created, or an explicit ``cache_dir`` is a symbolic
            link or belongs to another user (someone else could read or plant cache entries).
    """

    __slots__ = ("_handle", "_h", "_cache_dir", "_level")

    def __init__(self, cache_dir: Optional[Any] = None, compression_level: Optional[int] = None) -> None:
        raw = absolute_path(_default_cache_dir() if cache_dir is None else cache_dir, "cache_dir")
        level = 0 if compression_level is None else as_int(compression_level, "compression_level")
        if not 0 <= level <= 12:
            raise ValueError(f"compression_level must be between 0 and 12, got {level}")
        self._cache_dir = os.fsdecode(raw)
        self._handle = _native.Handle(_native.call("jarvisrs_NewRustModelLoader", wire_path(raw), level,
                                                   filename=self._cache_dir))
        self._h = self._handle.value
        self._level = level

    @property
    def cache_dir(self) -> str:
        """Absolute path of the cache directory."""
        return self._cache_dir

    @property
    def compression_level(self) -> int:
        """The LZ4 level used by ``compress_model`` and the cache."""
        return self._level

    def load_quantized_model(self, path: Any, quantize_to_int8: bool) -> bytes:
        """Read a model file, compressed through the cache when ``quantize_to_int8`` is true.

        Args:
            path: the model file (str, bytes or os.PathLike).
            quantize_to_int8: ``False``: the file's bytes. ``True``: ``compress_model(file bytes)``,
                served from the cache while the file's real path, size and mtime are unchanged
                (the name is the original's; the payload is compressed, not quantized, so
                ``pickle.loads(decompress_model(result))`` gives back the model exactly).

        Raises:
            FileNotFoundError: no such file. IsADirectoryError, PermissionError, OSError likewise.
        """
        p = as_path(path)
        blob = _native.call("jarvisrs_RustModelLoader_LoadQuantizedModel", self._h, p, bool(quantize_to_int8), filename=path)
        return _blob_to_bytes(blob)

    def compress_model(self, data: Any) -> bytes:
        """Compress ``data`` (any bytes-like object, read in place) into an LZ4 frame.

        The frame has a content checksum and size and independent blocks, at ``compression_level``;
        ``lz4 -d`` and ``lz4.frame.decompress`` read it.
        """
        keep, src, n = _native.input_buffer(data)
        bound = _native.lib.jarvisrs_RustModelLoader_CompressBound(self._h, n)
        out = _native.bytes_filled(
            bound, lambda dst: _native.call("jarvisrs_RustModelLoader_Compress", self._h, src, n, dst, bound))
        del keep
        return out

    def decompress_model(self, data: Any) -> bytes:
        """Decompress an LZ4 frame, or gzip data (what the original extension cached).

        Raises:
            InvalidModelDataError: (an ``OSError`` and a ``ValueError``) anything else, or corrupt
                data (checksum mismatch, truncation).
            TypeError: ``data`` is not bytes-like.
        """
        keep, src, n = _native.input_buffer(data)
        size = _native.call("jarvisrs_FrameContentSize", src, n, corrupt=InvalidModelDataError)
        if size < 0:
            return _blob_to_bytes(_native.call("jarvisrs_DecompressToBlob", src, n, corrupt=InvalidModelDataError))
        out, dst = _native.new_bytes(size)
        _native.call("jarvisrs_DecompressFrame", src, n, dst, size, corrupt=InvalidModelDataError)
        del keep
        return out

    def quantize_array_int8(self, data: Any) -> Dict[str, Any]:
        """Quantize floats to INT8 with the original extension's asymmetric formula, exactly.

        Args:
            data: a sequence of floats (taken as float32) or a numpy array (any shape, read in place
                when it is C-contiguous float32).

        Returns:
            ``{"data": bytes (int8 codes), "scale": float, "zero_point": float, "min_val": float,
            "max_val": float}`` where ``scale = (max - min) / 255`` and
            ``q = clamp(round((x - min) / scale) - 128, -128, 127)`` in float32. Empty input gives
            empty data and zeros; constant input all -128 with scale and zero_point 0.

        Raises:
            ValueError: NaN or infinity in the input (the message names the first bad index).
            TypeError: non-numeric input (for a sequence, the message names the first bad index).
        """
        keep, src, n = float32_vector(data, "data")
        out, dst = _native.new_bytes(n)
        params = array("d", bytes(8 * _PARAMS_LEN))
        _native.call("jarvisrs_QuantizeArrayInt8", src, n, dst, params.buffer_info()[0], _PARAMS_LEN)
        del keep
        return {"data": out, "scale": params[0], "zero_point": params[1], "min_val": params[2], "max_val": params[3]}

    def quantize_array_fp16(self, data: Any) -> bytes:
        """Convert floats to IEEE half precision: ``2 * n`` little-endian bytes.

        Equal to ``np.asarray(data, np.float32).astype('<f2').tobytes()`` for every input (round to
        nearest even, subnormals, overflow to infinity, NaN kept).
        """
        keep, src, n = float32_vector(data, "data")
        out, dst = _native.new_bytes(2 * n)
        _native.call("jarvisrs_QuantizeArrayFP16", src, n, dst, 2 * n)
        del keep
        return out

    def mmap_model(self, path: Any) -> memoryview:
        """Memory-map a model file: zero-copy, read-only, bytes-like.

        ``len()``, slicing, ``bytes(x)``, ``np.frombuffer(x, ...)`` and ``pickle.loads(x)`` work;
        the file stays mapped while any view of it exists.

        Raises:
            FileNotFoundError: no such file. IsADirectoryError, PermissionError, OSError likewise.
        """
        return map_memoryview(absolute_path(path), display=path)

    def load_quantized_tensors(self, path: Any, scheme: str = "int8") -> Dict[str, Any]:
        """Quantize a ``.safetensors`` model through the cache and return its tensors, zero-copy.

        The first call quantizes the model as ``quantize_model_file(path, ..., scheme)`` does into
        this loader's cache directory (atomically; the entry is keyed by the model's real path and
        the scheme, and records its size and mtime). Later calls for the unchanged model only map
        the cached file: nothing is quantized or copied. A changed model is quantized again.

        Args:
            path: the model (str, bytes or os.PathLike).
            scheme: ``"int8"`` (default), ``"int4"``, ``"fp16"``, ``"q8_0"`` or ``"q4_0"``.

        Returns:
            ``{name: value}`` for the model's tensors: ``QuantizedTensor`` (read-only views of the
            cached file) for int8 and int4, ``np.float16`` arrays for fp16, raw ``np.uint8``
            llama.cpp blocks for q8_0/q4_0 (``dequantize_gguf(blocks, "Q8_0", shape)`` decodes
            them), and every tensor that was not quantized as a read-only array.

        Raises:
            ValueError: a bad scheme or a malformed model (or NaN/infinity in a tensor to quantize).
            FileNotFoundError, IsADirectoryError, PermissionError, OSError: as ``open`` would.
        """
        from . import files  # numpy and the quantization engine, imported on first use
        from ._jobs import run_job
        from ._schemes import parse_scheme
        s = parse_scheme(scheme)
        p = as_path(path)
        job = _native.Handle(_native.call("jarvisrs_RustModelLoader_QuantizedTensorsJob", self._h, p, s, filename=path))
        entry = run_job(job, None)["path"]
        return files.load_quantized_tensors_file(path_from_wire(entry))

    def clear_cache(self) -> None:
        """Delete every cache entry and recreate the (empty) cache directory."""
        _native.call("jarvisrs_RustModelLoader_ClearCache", self._h, filename=self._cache_dir)

    # Copies and pickles carry the configuration (cache_dir, compression_level), never the Go
    # handle: a copy is a new, independent loader over the same cache directory.
    def __reduce__(self) -> Any:
        return (type(self), (self.cache_dir, self.compression_level))

    def __copy__(self) -> "RustModelLoader":
        _cls, args = self.__reduce__()
        return type(self)(*args)

    def __deepcopy__(self, memo: Dict[int, Any]) -> "RustModelLoader":
        return self.__copy__()

    def __repr__(self) -> str:
        return f"RustModelLoader(cache_dir={self._cache_dir!r}, compression_level={self._level})"
