# The quantization tests once more with the SIMD kernels switched off. GODEBUG=cpu.avx2=off makes
# golang.org/x/sys/cpu (read when the extension loads) report no AVX2, so every quantization kernel
# takes its pure-Go path; the SIMDKernels diagnostic proves it before the tests run. Only the files
# that exercise the kernels run (about 1 minute here, against about 4 for the whole suite, which
# 90-pytest runs with the SIMD path): the engine, the original's quantize_array_*, model files,
# hypothesis round trips, misaligned inputs, shrinking mappings, and the SIMD/scalar comparison.
cd "$root/python_tests"
GODEBUG=cpu.avx2=off "$venv/bin/python" -c '
import sys
from jarvis_rust_extensions import _native
sys.exit("the SIMD kernels are still on under GODEBUG=cpu.avx2=off" if _native.lib.jarvisrs_SIMDKernels() else 0)'
GODEBUG=cpu.avx2=off "$venv/bin/python" -m pytest -q -p no:cacheprovider \
    test_quant_engine.py test_quantize_array.py test_files.py test_hypothesis_roundtrips.py \
    test_misaligned_inputs.py test_mapped_shrink.py test_scalar_path.py
