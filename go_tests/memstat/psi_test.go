package memstat_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/require"
)

// requirePSIEnv names the variable that makes the real-file tests demand PSI: CI on a kernel
// known to have it sets JRX_REQUIRE_PSI=1, so a missing /proc/pressure/memory fails there
// instead of skipping.
const requirePSIEnv = "JRX_REQUIRE_PSI"

const wellFormedPSI = "some avg10=1.25 avg60=0.50 avg300=0.07 total=123456\n" +
	"full avg10=0.75 avg60=0.25 avg300=0.01 total=65432\n"

func TestParsePSIWellFormed(t *testing.T) {
	p, err := memstat.ParsePSI([]byte(wellFormedPSI))
	require.NoError(t, err)
	require.Equal(t, memstat.PSI{
		Some:    memstat.PSILine{Avg10: 1.25, Avg60: 0.5, Avg300: 0.07, TotalUs: 123456},
		Full:    memstat.PSILine{Avg10: 0.75, Avg60: 0.25, Avg300: 0.01, TotalUs: 65432},
		HasFull: true,
	}, p)
}

func TestParsePSIMissingFull(t *testing.T) {
	p, err := memstat.ParsePSI([]byte("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"))
	require.NoError(t, err)
	require.False(t, p.HasFull)
	require.Equal(t, memstat.PSILine{}, p.Full)
	// No trailing newline, a field a later kernel might add, full before some.
	p, err = memstat.ParsePSI([]byte("full avg10=1.00 avg60=2.00 avg300=3.00 total=9 extra=1\nsome avg10=4.00 avg60=5.00 avg300=6.00 total=10"))
	require.NoError(t, err)
	require.True(t, p.HasFull)
	require.Equal(t, uint64(10), p.Some.TotalUs)
	require.Equal(t, 3.0, p.Full.Avg300)
}

func TestParsePSIHugeTotals(t *testing.T) {
	maxU := "18446744073709551615" // 2^64 - 1: parses exactly
	p, err := memstat.ParsePSI([]byte("some avg10=100.00 avg60=99.99 avg300=0.00 total=" + maxU +
		"\nfull avg10=0.00 avg60=0.00 avg300=0.00 total=9007199254740993\n"))
	require.NoError(t, err)
	require.Equal(t, ^uint64(0), p.Some.TotalUs)
	require.Equal(t, uint64(9007199254740993), p.Full.TotalUs) // 2^53 + 1: no float rounding
	_, err = memstat.ParsePSI([]byte("some avg10=0.00 avg60=0.00 avg300=0.00 total=18446744073709551616\n"))
	require.ErrorIs(t, err, memstat.ErrUnavailable, "2^64 overflows")
}

// TestParsePSIAveragesMatchParseFloat checks every value the kernel can print ("%lu.%02lu" from
// 0.00 to 100.00) against strconv.ParseFloat: the parser's own arithmetic must round the same.
func TestParsePSIAveragesMatchParseFloat(t *testing.T) {
	for i := 0; i <= 10000; i++ {
		text := fmt.Sprintf("%d.%02d", i/100, i%100)
		p, err := memstat.ParsePSI([]byte("some avg10=" + text + " avg60=" + text + "0 avg300=" + text + " total=1\n"))
		require.NoError(t, err, text)
		want, err := strconv.ParseFloat(text, 64)
		require.NoError(t, err)
		require.Equal(t, want, p.Some.Avg10, text)
		require.Equal(t, want, p.Some.Avg60, text+"0")
	}
	for _, whole := range []string{"0", "7", "42", "100"} { // no decimals at all
		p, err := memstat.ParsePSI([]byte("some avg10=" + whole + " avg60=0 avg300=0 total=0"))
		require.NoError(t, err)
		want, _ := strconv.ParseFloat(whole, 64)
		require.Equal(t, want, p.Some.Avg10)
	}
}

func TestParsePSIGarbage(t *testing.T) {
	for _, bad := range []string{
		"",
		"\n\n",
		"garbage",
		"\x00\xff\xfe",
		"full avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",                 // no some line
		"some avg10=0.00 avg60=0.00 avg300=0.00\n",                         // no total
		"some avg10=0.00 avg60=0.00 total=5\n",                             // no avg300
		"some avg10=x avg60=0.00 avg300=0.00 total=0\n",                    // not a number
		"some avg10=NaN avg60=0.00 avg300=0.00 total=0\n",                  // NaN
		"some avg10=-1 avg60=0.00 avg300=0.00 total=0\n",                   // negative
		"some avg10=100.01 avg60=0.00 avg300=0.00 total=0\n",               // above 100%
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=-5\n",                // signed total
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=+5\n",                // sign
		"some avg10=0.00 avg60=0.00 avg300=0.00 total=1e3\n",               // float total
		"some avg10=0.00 avg10=0.00 avg60=0.00 avg300=0.00 total=0\n",      // repeated field
		"some avg10 avg60=0.00 avg300=0.00 total=0\n",                      // not key=value
		wellFormedPSI + "some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n", // repeated line
		wellFormedPSI + "other avg10=0.00\n",                               // unknown line
	} {
		_, err := memstat.ParsePSI([]byte(bad))
		require.ErrorIs(t, err, memstat.ErrUnavailable, "%q", bad)
	}
}

func FuzzParsePSI(f *testing.F) {
	f.Add([]byte(wellFormedPSI))
	f.Add([]byte("some avg10=0.00 avg60=0.00 avg300=0.00 total=0\n"))
	f.Add([]byte("some avg10=1e2 avg60=0 avg300=0 total=18446744073709551615"))
	f.Fuzz(func(t *testing.T, b []byte) {
		p, err := memstat.ParsePSI(b)
		if err != nil {
			return
		}
		for _, l := range []memstat.PSILine{p.Some, p.Full} {
			for _, v := range []float64{l.Avg10, l.Avg60, l.Avg300} {
				if !(v >= 0 && v <= 100) {
					t.Fatalf("average %v out of range from %q", v, b)
				}
			}
		}
	})
}

// TestRealPSIFile parses this kernel's /proc/pressure/memory. It skips (naming the file) only
// where the kernel has no PSI, unless JRX_REQUIRE_PSI=1 says it must be there.
func TestRealPSIFile(t *testing.T) {
	const path = "/proc/pressure/memory"
	b, err := os.ReadFile(path)
	if os.IsNotExist(err) && os.Getenv(requirePSIEnv) != "1" {
		t.Skipf("%s does not exist: this kernel has no PSI (set %s=1 to make this a failure)", path, requirePSIEnv)
	}
	require.NoError(t, err, "%s must be readable (%s=%s)", path, requirePSIEnv, os.Getenv(requirePSIEnv))
	p, err := memstat.ParsePSI(b)
	require.NoError(t, err, "%q", b)
	require.True(t, p.HasFull, "memory pressure always has a full line")
	require.GreaterOrEqual(t, p.Some.TotalUs, p.Full.TotalUs, "full stalls are a subset of some")

	r := memstat.NewKernelPressureReader("/proc", "/sys")
	require.NotEmpty(t, r.PSIPath())
	require.True(t, r.PSIPath() == path || strings.HasSuffix(r.PSIPath(), "/memory.pressure"), r.PSIPath())
	kp, err := r.Read()
	require.NoError(t, err)
	require.Equal(t, memstat.KernelPSI, kp.Kind)
	require.Equal(t, r.PSIPath(), kp.Source)
	kp2, err := r.Read() // through the kept descriptor
	require.NoError(t, err)
	require.GreaterOrEqual(t, kp2.PSI.Some.TotalUs, kp.PSI.Some.TotalUs)
	require.NoError(t, r.Close())
}

func TestKernelPressureReaderFakeFile(t *testing.T) {
	tree := fakeTree(t.TempDir())
	tree.write(t, "proc/pressure/memory", wellFormedPSI)
	r := memstat.NewKernelPressureReader(tree.proc(), tree.sys())
	require.Equal(t, filepath.Join(tree.proc(), "pressure", "memory"), r.PSIPath())
	kp, err := r.Read()
	require.NoError(t, err)
	require.Equal(t, memstat.KernelPressure{Kind: memstat.KernelPSI, Source: r.PSIPath(), PSI: memstat.PSI{
		Some:    memstat.PSILine{Avg10: 1.25, Avg60: 0.5, Avg300: 0.07, TotalUs: 123456},
		Full:    memstat.PSILine{Avg10: 0.75, Avg60: 0.25, Avg300: 0.01, TotalUs: 65432},
		HasFull: true,
	}}, kp)

	// The file changes between reads: the kept descriptor reads the new contents.
	tree.write(t, "proc/pressure/memory", "some avg10=9.00 avg60=0.00 avg300=0.00 total=7\n")
	kp, err = r.Read()
	require.NoError(t, err)
	require.Equal(t, 9.0, kp.PSI.Some.Avg10)
	require.False(t, kp.PSI.HasFull)

	tree.write(t, "proc/pressure/memory", "garbage\n")
	_, err = r.Read()
	require.ErrorIs(t, err, memstat.ErrUnavailable)

	tree.write(t, "proc/pressure/memory", strings.Repeat("x", 4096))
	_, err = r.Read()
	require.ErrorIs(t, err, memstat.ErrUnavailable, "an oversized file is refused, not truncated")
	require.NoError(t, r.Close())
}
