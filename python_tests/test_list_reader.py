"""The native list reader behind quantize_array_int8/fp16 on lists and tuples (jarvisrs/pyaccel's
read_float32): the same float32 values as array('f', ...) (the conversion the package used before)
and numpy, the index of a bad element in the message, and no crash when the list changes."""

import threading
import time
from array import array
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest

from jarvis_rust_extensions import RustModelLoader, _fastpaths, _native
from jarvis_rust_extensions._vectors import float32_vector

F32 = np.float32
SPECIALS = [0.0, -0.0, 1.0, -1.5, float("nan"), float("inf"), float("-inf"), 1e39, -1e39, 3.4028234663852886e38,
            3.4028235677973366e38, 3.402823567797337e38, 1e-45, 7e-46, 1e-46, -1e-45, 5e-324, 1.401298464324817e-45,
            0.1, 1 / 3, 2.0**-149, 2.0**-150, 16777217.0, 1e308]
INTS = [0, 1, -1, 2**24 + 1, 2**31, -(2**63), 2**64, 10**30, True, False]


def readers():
    out = [pytest.param(_fastpaths.read_float32, id="direct"),
           pytest.param(_fastpaths.read_float32_portable, id="portable")]
    return out


def read(reader, seq, name="data"):
    out = np.empty(len(seq), F32)
    reader(seq, _native.address_of(out), out.size, name)
    return out


def old_way(seq):
    return np.frombuffer(array("f", seq), F32)


def bits(x):
    return np.asarray(x, F32).view(np.uint32)


@pytest.fixture(scope="module")
def loader(tmp_path_factory):
    return RustModelLoader(cache_dir=str(tmp_path_factory.mktemp("cache")))


def test_layout_probe_allows_direct_reads_here():
    assert _fastpaths.direct_reads  # CPython 3.9-3.13 default builds: checked, not assumed


@pytest.mark.parametrize("reader", readers())
def test_same_bits_as_array_and_numpy(reader, rng=np.random.default_rng(5)):
    floats = (rng.standard_normal(10_000) * 10.0 ** rng.integers(-40, 40, 10_000)).tolist()
    for values in (floats, SPECIALS, INTS, SPECIALS + INTS + floats[:50]):
        for seq in (values, tuple(values)):
            got = read(reader, seq)
            assert np.array_equal(bits(got), bits(old_way(seq)))
            with np.errstate(over="ignore"):
                want = np.asarray([float(v) for v in seq], F32)
            assert np.array_equal(got, want, equal_nan=True)
            assert np.array_equal(np.signbit(got), np.signbit(want))


@pytest.mark.parametrize("reader", readers())
def test_numbers_of_every_kind_convert_as_array_f_does(reader):
    class Floaty:
        def __float__(self):
            return 2.75

    class Indexy:
        def __index__(self):
            return 7

    class SubFloat(float):
        def __float__(self):  # never called: a float subclass is read by value
            raise AssertionError

    seq = [np.float64(1.1), np.float32(2.2), np.float16(3.3), np.int64(-4), np.uint8(250), np.bool_(True),
           Decimal("0.1"), Fraction(1, 3), Floaty(), Indexy(), SubFloat(9.5), 5]
    assert np.array_equal(bits(read(reader, seq)), bits(old_way(seq)))


@pytest.mark.parametrize("reader", readers())
@pytest.mark.parametrize("bad", ["1.0", None, [1.0], 1j, b"x", object()])
@pytest.mark.parametrize("where", [0, 1, 500, 999])
def test_bad_element_raises_type_error_naming_its_index(reader, bad, where):
    seq = [float(i) for i in range(1000)]
    seq[where] = bad
    for s in (seq, tuple(seq)):
        with pytest.raises(TypeError, match=rf"^weights\[{where}\]: "):
            read(reader, s, "weights")


@pytest.mark.parametrize("reader", readers())
def test_huge_int_raises_overflow_error_naming_its_index(reader):
    with pytest.raises(OverflowError, match=r"data\[2\]"):
        read(reader, [1.0, 2, 10**400])


def test_public_calls_name_the_index(loader):
    for call in (loader.quantize_array_int8, loader.quantize_array_fp16):
        with pytest.raises(TypeError, match=r"data\[3\]"):
            call([0.0, 1.0, 2.0, "3"])
        with pytest.raises(TypeError, match=r"data\[1\]"):
            call((0.0, None))
        with pytest.raises(TypeError, match=r"data\[2\]"):
            call(x for x in [1.0, 2.0, "x"])


def test_other_iterables_give_what_array_f_gives():
    class MyList(list):
        pass

    for data in (range(-3, 40), (x / 7 for x in range(30)), {1.5: "a", 2.5: "b"}, MyList([1.0, 2.0]),
                 array("d", [0.1, 0.2]), {0.5}, iter([1, 2.5])):
        again = list(data) if not hasattr(data, "__next__") else None
        got = np.asarray(float32_vector(data, "data")[0])  # (float32 values, address, count)
        if again is not None:
            assert np.array_equal(bits(got), bits(old_way(again)))
        assert got.dtype == F32


def test_quantize_results_equal_numpy_input_results(loader, rng=np.random.default_rng(9)):
    x = (rng.standard_normal(100_003) * 3).astype(F32)
    values = x.tolist()
    assert loader.quantize_array_int8(values) == loader.quantize_array_int8(x)
    assert loader.quantize_array_fp16(values) == loader.quantize_array_fp16(x)
    assert loader.quantize_array_fp16(tuple(values)) == x.astype("<f2").tobytes()
    with np.errstate(over="ignore"):
        assert loader.quantize_array_fp16(SPECIALS + INTS) == np.asarray(
            [float(v) for v in SPECIALS + INTS], F32).astype("<f2").tobytes()


def test_read_float32_refuses_misuse():
    out = np.empty(3, F32)
    with pytest.raises(TypeError):
        _fastpaths.read_float32([1.0], _native.address_of(out))
    with pytest.raises(TypeError):
        _fastpaths.read_float32(array("d", [1.0]), _native.address_of(out), 1, "data")
    with pytest.raises(RuntimeError, match="changed size"):
        _fastpaths.read_float32([1.0, 2.0], _native.address_of(out), 3, "data")
    with pytest.raises(ValueError):
        _fastpaths.read_float32([1.0], 0, 1, "data")
    _fastpaths.read_float32([], 0, 0, "data")


class _Shrinker:
    """An element whose conversion empties the list it is in (and frees itself)."""

    def __init__(self, owner):
        self.owner = owner

    def __float__(self):
        self.owner.clear()
        return 1.0


@pytest.mark.parametrize("reader", readers())
def test_list_changed_by_an_element_is_detected(reader):
    seq = [1.0, 2.0, 3.0]
    seq.insert(1, _Shrinker(seq))
    out = np.zeros(4, F32)
    with pytest.raises(RuntimeError, match="changed size"):
        reader(seq, _native.address_of(out), 4, "data")

    class Grower:
        def __float__(self):
            seq2.append(9.0)
            return 0.5

    seq2 = [Grower(), 1.0]
    with pytest.raises(RuntimeError, match="changed size"):
        read(reader, seq2)


class _Yielder:
    """Converts after giving other threads the GIL."""

    def __float__(self):
        time.sleep(0)
        return 0.25


def test_list_mutated_by_another_thread_during_the_call_does_not_crash(loader):
    shared = [float(i) for i in range(20_000)] + [_Yielder() for _ in range(50)]
    stop = threading.Event()

    def mutate():
        i = 0
        while not stop.is_set():
            if i % 2:
                shared.append(_Yielder())
                shared[i % len(shared)] = float(i)
            else:
                shared.pop()
                shared.insert(i % len(shared), _Yielder())
            i += 1

    t = threading.Thread(target=mutate)
    t.start()
    outcomes = set()
    try:
        for _ in range(200):
            try:
                r = loader.quantize_array_fp16(shared)
                outcomes.add("ok")
                assert len(r) % 2 == 0
            except RuntimeError as exc:
                assert "changed size" in str(exc)
                outcomes.add("changed")
    finally:
        stop.set()
        t.join(30)
    assert outcomes <= {"ok", "changed"} and outcomes


def test_fallback_without_c_names_the_index_too(monkeypatch):
    monkeypatch.setattr(_fastpaths, "read_float32", None)
    assert np.array_equal(bits(float32_vector(SPECIALS, "data")[0]), bits(old_way(SPECIALS)))
    with pytest.raises(TypeError, match=r"^data\[2\]: "):
        float32_vector([1.0, 2.0, None], "data")
    with pytest.raises(OverflowError, match=r"^data\[1\]: "):
        float32_vector((1.0, 10**400), "data")
