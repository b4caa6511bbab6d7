package memstat_test

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/shirou/gopsutil/v3/common"
	"github.com/shirou/gopsutil/v3/mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// zoneinfo is a two-zone <proc>/zoneinfo whose low watermarks add up to 32000 pages; the
// garbage "low" line counts as 0, as gopsutil counts it.
const zoneinfo = `Node 0, zone      DMA
  per-node stats
      nr_inactive_anon 0
  pages free     3977
        boost    0
        min      33
        low      1000
        high     49
        spanned  4095
Node 0, zone    DMA32
  pages free     100
        min      100
        low      31000
        high     200
        protection: (0, 2918, 15930, 15930)
        low      lots
  pagesets
    cpu: 0
              count: 0
`

// gopsutilAvailable is what the old implementation, gopsutil v3.24.5, reports for a tree.
func gopsutilAvailable(t *testing.T, tree fakeTree) uint64 {
	t.Helper()
	ctx := context.WithValue(context.Background(), common.EnvKey, common.EnvMap{common.HostProcEnvKey: tree.proc()})
	vm, err := mem.VirtualMemoryWithContext(ctx)
	require.NoError(t, err)
	return min(vm.Available, vm.Total)
}

// Kernels before 3.14 have no MemAvailable: Read then estimates it exactly as gopsutil did.
func TestReaderMemAvailableFallback(t *testing.T) {
	watermark := uint64(32000 * os.Getpagesize())
	const base = "MemTotal: 16777216 kB\nMemFree: 4194304 kB\nBuffers: 1048576 kB\nCached: 2097152 kB\n"
	const fileCounters = "Active(file): 1048576 kB\nInactive(file): 1048576 kB\n"
	const sReclaimable = "SReclaimable: 524288 kB\n"
	tests := []struct {
		name, meminfo, zoneinfo string
		want                    uint64
		unlikeGopsutil          bool // gopsutil's unsigned arithmetic wraps around here
	}{
		{"free plus cache plus reclaimable slab", base + sReclaimable, "", 6656 * mib, false},
		{"no SReclaimable line", base, "", 6144 * mib, false},
		{"buffers never count", "MemTotal: 16777216 kB\nBuffers: 1048576 kB\n", "", 0, false},
		// Free, page cache and reclaimable slab, each less the low watermarks (page cache and
		// slab by at most half their size).
		{"kernel formula from zoneinfo", base + fileCounters + sReclaimable, zoneinfo, 6656*mib - 3*watermark, false},
		{"kernel formula needs zoneinfo", base + fileCounters + sReclaimable, "", 6656 * mib, false},
		{"kernel formula needs SReclaimable", base + fileCounters, zoneinfo, 6144 * mib, false},
		{"kernel formula needs Active(file)", base + "Inactive(file): 1048576 kB\n" + sReclaimable, zoneinfo, 6656 * mib, false},
		{"watermarks above what is free give 0", "MemTotal: 16777216 kB\nMemFree: 4 kB\nActive(file): 0 kB\nInactive(file): 0 kB\nSReclaimable: 0 kB\n", zoneinfo, 0, true},
		{"zoneinfo without watermarks", base + fileCounters + sReclaimable, "Node 0, zone DMA\n  pages free 1\n", 6656 * mib, false},
		// gopsutil indexes the first field of every zoneinfo line and so panics on a blank one.
		{"blank zoneinfo lines", base + fileCounters + sReclaimable, "\n\n" + zoneinfo + "\n", 6656*mib - 3*watermark, true},
		{"estimate capped at the total", "MemTotal: 1024 kB\nMemFree: 4096 kB\n", "", 1 << 20, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tree := fakeTree(t.TempDir())
			tree.write(t, "proc/meminfo", tc.meminfo)
			if tc.zoneinfo != "" {
				tree.write(t, "proc/zoneinfo", tc.zoneinfo)
			}
			got, err := memstat.NewReader(tree.proc(), tree.sys()).Read()
			require.NoError(t, err)
			assert.Equal(t, tc.want, got.AvailableBytes)
			assert.Equal(t, got.TotalBytes-got.AvailableBytes, got.UsedBytes)
			assert.Equal(t, memstat.SourceHost, got.Source)
			if !tc.unlikeGopsutil {
				assert.Equal(t, gopsutilAvailable(t, tree), got.AvailableBytes, "gopsutil disagrees")
			}
		})
	}
}

// With MemAvailable present, Read agrees with gopsutil whatever else the file holds.
func TestReaderMeminfoMatchesGopsutil(t *testing.T) {
	tests := map[string]string{
		"testdata":            meminfo(16384, 12288),
		"available first":     "MemAvailable: 1000 kB\nMemTotal: 2000 kB\n",
		"tabs and no kB":      "MemTotal:\t2000\nMemAvailable:\t1500\n",
		"extra colons":        "Weird: a: b\nMemTotal: 2000 kB\nMemAvailable: 1500 kB\n",
		"no trailing newline": "MemTotal: 2000 kB\nMemAvailable: 1500 kB",
		"crlf":                "MemTotal: 2000 kB\r\nMemAvailable: 1500 kB\r\n",
		"other keys garbage":  "MemTotal: 2000 kB\nUnknown: x\nMemAvailable: 1500 kB\n",
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			tree := fakeTree(t.TempDir())
			tree.write(t, "proc/meminfo", content)
			got, err := memstat.NewReader(tree.proc(), tree.sys()).Read()
			require.NoError(t, err)
			assert.Equal(t, gopsutilAvailable(t, tree), got.AvailableBytes)
		})
	}
}

func TestReaderMeminfoErrors(t *testing.T) {
	tests := map[string]string{
		"empty":                 "",
		"zero total":            "MemTotal: 0 kB\nMemAvailable: 0 kB\n",
		"no total":              "MemFree: 10 kB\nMemAvailable: 10 kB\n",
		"total not a number":    "MemTotal: lots kB\nMemAvailable: 10 kB\n",
		"negative available":    "MemTotal: 100 kB\nMemAvailable: -1 kB\n",
		"fallback figure":       "MemTotal: 100 kB\nMemFree: 0x10 kB\n",
		"KiB overflow":          "MemTotal: 18446744073709551615 kB\nMemAvailable: 1 kB\n",
		"line longer than 4KiB": "X: " + strings.Repeat("9", 5000) + "\nMemTotal: 100 kB\nMemAvailable: 10 kB\n",
	}
	for name, content := range tests {
		t.Run(name, func(t *testing.T) {
			tree := fakeTree(t.TempDir())
			tree.write(t, "proc/meminfo", content)
			_, err := memstat.NewReader(tree.proc(), tree.sys()).Read()
			require.ErrorIs(t, err, memstat.ErrUnavailable)
		})
	}
}

// Files too large for one read are streamed: a meminfo and a memory.stat each of about 8 KiB,
// with the lines that matter at the end.
func TestReaderLongFiles(t *testing.T) {
	var filler strings.Builder
	for i := range 400 {
		fmt.Fprintf(&filler, "Filler%03d: %d kB\n", i, i)
	}
	tree := copyTree(t, "v2_leaf")
	tree.write(t, "proc/meminfo", "MemTotal: 16777216 kB\n"+filler.String()+"MemAvailable: 12582912 kB\n")
	tree.write(t, leafDir+"memory.stat", strings.ReplaceAll(filler.String(), ":", "")+"inactive_file 104857600\n")
	got, err := memstat.NewReader(tree.proc(), tree.sys()).Read()
	require.NoError(t, err)
	assert.Equal(t, memstat.Memory{TotalBytes: 512 * mib, AvailableBytes: 312 * mib, UsedBytes: 200 * mib, Source: memstat.SourceCgroup}, got)
}

// The Reader keeps /proc/meminfo open; every Read still sees the current contents, including
// contents shorter than before.
func TestReaderRereadsMeminfo(t *testing.T) {
	tree := fakeTree(t.TempDir())
	tree.write(t, "proc/meminfo", meminfo(16384, 12288))
	r := memstat.NewReader(tree.proc(), tree.sys())
	got, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, uint64(12288*mib), got.AvailableBytes)

	tree.write(t, "proc/meminfo", "MemTotal: 2048 kB\nMemAvailable: 1024 kB\n")
	got, err = r.Read()
	require.NoError(t, err)
	assert.Equal(t, memstat.Memory{TotalBytes: 2 << 20, AvailableBytes: 1 << 20, UsedBytes: 1 << 20, Source: memstat.SourceHost}, got)
}

// FuzzReaderMeminfo feeds arbitrary meminfo (and zoneinfo) contents to Read: it must not panic,
// must fail only with ErrUnavailable, and its figures must stay consistent.
func FuzzReaderMeminfo(f *testing.F) {
	f.Add(meminfo(16384, 12288), "")
	f.Add("MemTotal: 16777216 kB\nMemFree: 4194304 kB\nCached: 2097152 kB\nSReclaimable: 524288 kB\nActive(file): 1 kB\nInactive(file): 2 kB\n", zoneinfo)
	f.Add("MemTotal: 1 kB\nMemFree: 18014398509481983 kB\nCached: 18014398509481983 kB\nSReclaimable: 1 kB\nActive(file): 18014398509481983 kB\nInactive(file): 18014398509481983 kB\n", "low 18446744073709551615\nlow 18446744073709551615\n")
	f.Add("MemTotal:: 5\n:\n\n MemAvailable :7 kB kB\n", "low\n\n  low  \nlowest 3 4\n")
	f.Add("MemTotal: 100 kB\nMemAvailable: 200 kB\n", "")
	f.Fuzz(func(t *testing.T, meminfoContent, zoneinfoContent string) {
		tree := fakeTree(t.TempDir())
		tree.write(t, "proc/meminfo", meminfoContent)
		tree.write(t, "proc/zoneinfo", zoneinfoContent)
		r := memstat.NewReader(tree.proc(), tree.sys())
		defer r.Close() // fuzzing makes readers faster than the collector would close their files
		got, err := r.Read()
		if err != nil {
			require.ErrorIs(t, err, memstat.ErrUnavailable)
			return
		}
		require.Positive(t, got.TotalBytes)
		require.LessOrEqual(t, got.AvailableBytes, got.TotalBytes)
		require.Equal(t, got.TotalBytes-got.AvailableBytes, got.UsedBytes)
		require.Equal(t, memstat.SourceHost, got.Source)
	})
}
