"""The .pyi stubs describe the runtime API: same names, same parameters, same defaults, and the
annotated return types match what the calls really return."""

import ast
import dataclasses
import inspect
import os
import typing

import numpy as np
import pytest

import jarvis_rust_extensions as jre

STUB = os.path.join(os.path.dirname(jre.__file__), "__init__.pyi")


def _stub_tree():
    with open(STUB) as f:
        return ast.parse(f.read())


def _stub_defs():
    """Top-level functions and classes (with their methods) declared in the stub."""
    funcs, classes = {}, {}
    for node in _stub_tree().body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            funcs[node.name] = node
        elif isinstance(node, ast.ClassDef):
            classes[node.name] = {n.name: n for n in node.body if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef))}
    return funcs, classes


def _stub_reexports():
    """Names the stub re-exports explicitly (``from .m import X as X``)."""
    return {a.asname for node in _stub_tree().body if isinstance(node, ast.ImportFrom)
            for a in node.names if a.asname == a.name}


def _stub_all():
    for node in _stub_tree().body:
        if isinstance(node, ast.Assign) and any(getattr(t, "id", None) == "__all__" for t in node.targets):
            return ast.literal_eval(node.value)
    raise AssertionError("the stub has no __all__")


def _params(fn_node, drop_self):
    args = fn_node.args
    positional = [a.arg for a in args.args]
    if drop_self:
        positional = positional[1:]
    defaults = [None] * (len(args.args) - len(args.defaults)) + [ast.unparse(d) for d in args.defaults]
    if drop_self:
        defaults = defaults[1:]
    kwonly = [(a.arg, ast.unparse(d) if d is not None else None) for a, d in zip(args.kwonlyargs, args.kw_defaults)]
    return list(zip(positional, defaults)), kwonly


def _runtime_params(fn, drop_self):
    sig = inspect.signature(fn)
    positional, kwonly = [], []
    for i, p in enumerate(sig.parameters.values()):
        if drop_self and i == 0:
            continue
        default = None if p.default is inspect.Parameter.empty else repr(p.default)
        (kwonly if p.kind is p.KEYWORD_ONLY else positional).append((p.name, default))
    return positional, kwonly


def test_stub_ships_with_py_typed():
    assert os.path.exists(STUB)
    assert os.path.exists(os.path.join(os.path.dirname(jre.__file__), "py.typed"))


def test_every_public_name_is_in_the_stub_and_back():
    funcs, classes = _stub_defs()
    declared = set(funcs) | set(classes) | _stub_reexports()
    public = set(jre.__all__)
    assert public - declared == set(), "missing from the stub"
    stub_only = {n for n in declared - public if not n.startswith("_")}
    assert stub_only == set(), "public in the stub but not in __all__"
    assert _stub_all() == jre.__all__
    for name in jre.__all__:
        assert hasattr(jre, name), name


def test_typed_dicts_exist_at_runtime_with_the_keys_the_calls_return(tmp_path):
    import safetensors.numpy as safetensors_numpy  # a test requirement (requirements.txt)
    hints = {name: typing.get_type_hints(getattr(jre, name)) for name in
             ("MemoryStats", "MemoryMap", "CleanupSuggestion", "CleanupResult", "Int8Result", "QuantizeModelResult")}

    def check(name, value):
        assert isinstance(value, dict) and set(value) == set(hints[name]), name
        for key, hint in hints[name].items():
            if hint in (int, float, str, bytes):
                assert type(value[key]) is hint, f"{name}[{key!r}] is {type(value[key]).__name__}, not {hint.__name__}"

    mon = jre.RustMemoryMonitor()
    stats = mon.get_memory_stats()
    check("MemoryStats", stats)
    assert stats["limit_source"] in typing.get_args(hints["MemoryStats"]["limit_source"])
    check("MemoryMap", mon.get_memory_map())
    cleanup = mon.suggest_cleanup(1e9)
    check("CleanupResult", cleanup)
    for suggestion in cleanup["suggestions"]:
        check("CleanupSuggestion", suggestion)
    check("Int8Result", jre.RustModelLoader(cache_dir=str(tmp_path / "c")).quantize_array_int8([0.0, 1.0, -2.5]))
    src, dst = tmp_path / "m.safetensors", tmp_path / "q.safetensors"
    safetensors_numpy.save_file({"w": np.ones((4, 32), np.float32)}, str(src))
    check("QuantizeModelResult", jre.quantize_model_file(src, dst, "int8", progress=False))


def test_quantized_tensor_is_a_frozen_dataclass_as_the_stub_says():
    _, classes = _stub_defs()
    stub_class = next(n for n in _stub_tree().body if isinstance(n, ast.ClassDef) and n.name == "QuantizedTensor")
    assert [ast.unparse(d) for d in stub_class.decorator_list] == ["dataclass(frozen=True)"]
    assert dataclasses.is_dataclass(jre.QuantizedTensor)
    assert jre.QuantizedTensor.__dataclass_params__.frozen
    stub_fields = [n.target.id for n in stub_class.body if isinstance(n, ast.AnnAssign)]
    assert stub_fields == [f.name for f in dataclasses.fields(jre.QuantizedTensor)]
    qt = jre.quantize_int8(np.ones(4, np.float32))
    with pytest.raises(dataclasses.FrozenInstanceError):
        qt.bits = 4


def test_function_signatures_match():
    funcs, _ = _stub_defs()
    for name, node in funcs.items():
        assert _params(node, False) == _runtime_params(getattr(jre, name), False), name


def test_method_signatures_match():
    _, classes = _stub_defs()
    for cls_name in ("RustMemoryMonitor", "RustModelLoader"):
        cls = getattr(jre, cls_name)
        for name, node in classes[cls_name].items():
            attr = inspect.getattr_static(cls, name)
            if isinstance(attr, property):
                continue
            assert _params(node, True) == _runtime_params(getattr(cls, name), True), f"{cls_name}.{name}"
        runtime_methods = {n for n, v in vars(cls).items() if not n.startswith("_") and (callable(v) or isinstance(v, property))}
        assert runtime_methods <= set(classes[cls_name]), f"{cls_name}: {runtime_methods - set(classes[cls_name])}"


def test_return_types_match_annotations(tmp_path):
    mon = jre.RustMemoryMonitor()
    t = jre.get_system_memory_info()
    assert isinstance(t, tuple) and [type(v) for v in t] == [int, int, float]
    assert isinstance(jre.compress_data_lz4(b"abc"), bytes)
    assert isinstance(jre.decompress_data_lz4(jre.compress_data_lz4(b"abc"), 3), bytes)
    assert isinstance(mon.get_memory_stats(), dict) and mon.update_ml_stats(1.0, 1) is None
    assert isinstance(mon.is_memory_available(1.0, 99.0), bool)
    loader = jre.RustModelLoader(cache_dir=str(tmp_path))
    assert isinstance(loader.cache_dir, str) and isinstance(loader.compression_level, int)
    f = tmp_path / "m.bin"
    f.write_bytes(b"hello")
    assert isinstance(loader.load_quantized_model(str(f), True), bytes)
    assert isinstance(loader.mmap_model(str(f)), memoryview)
    assert isinstance(loader.quantize_array_fp16([1.0]), bytes)
    x = np.ones((2, 32), np.float32)
    qt = jre.quantize_int8(x)
    assert isinstance(qt, jre.QuantizedTensor) and qt.data.dtype == np.int8 and qt.scale.dtype == np.float32
    assert jre.quantize_int4(x).data.dtype == np.uint8
    assert jre.pack_int4(np.zeros(3, np.int8)).dtype == np.uint8
    assert jre.unpack_int4(np.zeros(2, np.uint8), 3).dtype == np.int8
    assert jre.quantize_fp16(x).dtype == np.float16
    assert jre.dequantize(qt).dtype == np.float32
    assert isinstance(jre.quantize_gguf(x, "Q8_0"), bytes)
    assert jre.dequantize_gguf(jre.quantize_gguf(x, "Q4_0"), "Q4_0", x.shape).dtype == np.float32


def test_every_public_function_and_method_has_a_docstring():
    missing = []
    for name in jre.__all__:
        obj = getattr(jre, name)
        if not (inspect.getdoc(obj) or "").strip():
            missing.append(name)
        if inspect.isclass(obj) and not issubclass(obj, BaseException):
            for attr, value in vars(obj).items():
                if attr.startswith("_"):
                    continue
                target = value.fget if isinstance(value, property) else value
                if callable(target) and not (inspect.getdoc(target) or "").strip():
                    missing.append(f"{name}.{attr}")
    assert missing == []
