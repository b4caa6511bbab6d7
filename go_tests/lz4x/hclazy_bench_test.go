package lz4x_test

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
)

// lazyBenchInputs are the lazy levels' benchmark inputs: 1 MiB of text and of float32 weights
// (one block, as liblz4 compresses it), or the files named in LZ4X_BENCH_FILES (comma-separated),
// so that the same bytes can be timed here and through python-lz4 (the peer's numbers are taken
// per core: run with GOMAXPROCS=1 and compare the cpu-ns/op metric).
func lazyBenchInputs(b *testing.B) map[string][]byte {
	if list := os.Getenv("LZ4X_BENCH_FILES"); list != "" {
		in := map[string][]byte{}
		for _, p := range strings.Split(list, ",") {
			data, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			in[strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))] = data
		}
		return in
	}
	return map[string][]byte{"text": benchInput("text", 1<<20), "weights": benchInput("weights", 1<<20)}
}

// cpuTime is the process's user plus system CPU time so far.
func cpuTime(b *testing.B) time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		b.Fatal(err)
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkCompressBlockLazyLevels times CompressBlockHC at every lazy level (1 to 9). Besides
// ns/op (wall) it reports the process's CPU time per block (all threads, as Python's
// time.process_time counts it), the median and the minimum over the calls (cpu-ns/op and
// min-cpu-ns/op: a shared machine slows some calls, so these compare better than a mean), and the
// block's size in bytes.
func BenchmarkCompressBlockLazyLevels(b *testing.B) {
	benchLevelsCPU(b, 1, 9, lz4x.CompressBlockBound, lz4x.CompressBlockHC)
}

// benchLevelsCPU runs compress at levels from..to on each of lazyBenchInputs' inputs as
// sub-benchmarks "<input>/L<level>", reporting per-call CPU time (median cpu-ns/op and
// min-cpu-ns/op) and the output's size (out-bytes). bound gives the output buffer's size.
func benchLevelsCPU(b *testing.B, from, to int, bound func(int) int, compress func(dst, src []byte, level int) (int, error)) {
	inputs := lazyBenchInputs(b)
	for _, name := range slices.Sorted(maps.Keys(inputs)) {
		src := inputs[name]
		for level := from; level <= to; level++ {
			b.Run(fmt.Sprintf("%s/L%d", name, level), func(b *testing.B) {
				dst := make([]byte, bound(len(src)))
				b.SetBytes(int64(len(src)))
				// One call first, so that pooled state and dst's pages are not counted.
				n, _ := compress(dst, src, level)
				var times []time.Duration
				for b.Loop() {
					start := cpuTime(b)
					n, _ = compress(dst, src, level)
					times = append(times, cpuTime(b)-start)
				}
				slices.Sort(times)
				b.ReportMetric(float64(times[len(times)/2]), "cpu-ns/op")
				b.ReportMetric(float64(times[0]), "min-cpu-ns/op")
				b.ReportMetric(float64(n), "out-bytes")
			})
		}
	}
}
