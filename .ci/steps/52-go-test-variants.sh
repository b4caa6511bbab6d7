# The Go tests in the variants 50-go-test does not cover. Runs after 40-wheel, so "$venv" exists.
#
# 1. Interop with the outside references, with the CI venv's Python first on PATH (the interop tests
#    run `python3`; LZ4X_PYTHON too): python-lz4 reads our blocks and frames, the safetensors
#    package loads our files, the lz4 command reads ours and we read its. 50-go-test runs them with
#    the system Python, which lacks python-lz4 and safetensors, so there they skip;
#    JRX_REQUIRE_INTEROP=1 makes a missing tool a failure here instead of a skip.
interop_tests=(TestPythonLZ4ReadsOurOutput TestLazyLevelsNoBiggerThanPythonLZ4 TestOptimalLevelsAgainstPythonLZ4 TestWriterLoadsInReferencePackage TestCLIDecodesOurFrames TestCLIDecodesOurFiles TestWeDecodeCLIFrames)
interop_out=$(PATH="$venv/bin:$PATH" LZ4X_PYTHON="$venv/bin/python" JRX_REQUIRE_INTEROP=1 go test -count=1 -v \
    -run "^($(IFS='|'; echo "${interop_tests[*]}"))\$" ./go_tests/lz4x/ ./go_tests/safetensors/) \
    || { echo "$interop_out"; exit 1; }
# Each ran and passed (a renamed test cannot silently drop out). The step is sourced by .ci/run:
# its variables are prefixed and unset so they cannot clobber the runner's.
for interop_test in "${interop_tests[@]}"; do
    grep -q -- "^--- PASS: $interop_test " <<<"$interop_out" \
        || { echo "$interop_out"; echo "$interop_test did not pass"; exit 1; }
done
echo "interop: ${interop_tests[*]} passed"
unset interop_tests interop_out interop_test
#
# 2. The pure-Go kernels (-tags purego drops the assembly) in every package that uses them. The
#    exhaustive float16 tests (all 2^32 inputs, minutes) already cover the pure-Go path in
#    50-go-test, which compares both paths; they are skipped here.
go test -count=1 -tags purego -skip 'Exhaustive' ./go_tests/kernels/ ./go_tests/quant/ ./go_tests/jarvisrs_files/
#
# 3. The race detector on the code that starts goroutines (lz4x's parallel helpers and file
#    pipeline, quant's workers, the background jobs, the cache, the monitor's shared readings), through the tests that drive those
#    goroutines on small inputs: the whole packages take over ten minutes under -race.
go test -count=1 -race ./go_tests/cache/ ./go_tests/atomicfile/
go test -count=1 -race -run 'TestParallelPathsRoundTrip|TestWorkerPanicReachesTheCaller|TestFileFunctionsStopWhenTheContextIsCancelled' ./go_tests/lz4x/
go test -count=1 -race -run 'TestResultsIndependentOfGOMAXPROCS|TestParallelInt4AndOriginalMatchReference' ./go_tests/quant/
go test -count=1 -race -run 'TestCompressFileJobRoundTrip|TestCompressFileJobCancelKeepsDst|TestQuantizeModelFileInt8MatchesQuant|TestQuantizedTensorsCache' ./go_tests/jarvisrs_files/
go test -count=1 -race -run 'TestStatsAndPressureConcurrent' ./go_tests/memstat/
