"""The model quantization schemes: their names and the one parser of a ``scheme`` argument, shared
by ``files`` (``quantize_model_file``) and ``loader`` (``RustModelLoader.load_quantized_tensors``)."""

from __future__ import annotations

from typing import Any

__all__ = ["SCHEMES", "parse_scheme"]

SCHEMES = ("int8", "int4", "fp16", "q8_0", "q4_0")
"""The ``scheme`` names ``quantize_model_file`` accepts."""


def parse_scheme(scheme: Any) -> str:
    """``scheme`` as one of ``SCHEMES`` (any letter case accepted); ``TypeError`` for a non-str,
    ``ValueError`` for an unknown name."""
    if not isinstance(scheme, str):
        raise TypeError(f"scheme must be a str, not {type(scheme).__name__}")
    s = scheme.lower()
    if s not in SCHEMES:
        raise ValueError(f"scheme must be one of {', '.join(SCHEMES)}; got {scheme!r}")
    return s
