package memstat_test

import (
	"strconv"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every testdata tree's host has 16 GiB with 12 GiB available, unless the case says otherwise.
func TestReaderFakeTrees(t *testing.T) {
	host := memstat.Memory{TotalBytes: 16384 * mib, AvailableBytes: 12288 * mib, UsedBytes: 4096 * mib, Source: memstat.SourceHost}
	cgroup := func(limitMiB, usedMiB uint64) memstat.Memory {
		return memstat.Memory{
			TotalBytes:     limitMiB * mib,
			AvailableBytes: (limitMiB - usedMiB) * mib,
			UsedBytes:      usedMiB * mib,
			Source:         memstat.SourceCgroup,
		}
	}
	tests := []struct {
		tree string
		want memstat.Memory
	}{
		{"v2_leaf", cgroup(512, 300-100)},
		{"v2_ancestor", cgroup(1024, 256-56)},
		{"v2_max", host},
		{"v2_ns_root", cgroup(256, 64-16)},
		{"v2_ns_missing", cgroup(256, 64-16)},
		{"v1_limited", cgroup(768, 400-50)}, // total_inactive_file, not the leaf-only inactive_file
		{"v1_sentinel", host},
		{"hybrid", cgroup(2048, 1024-24)},
		{"missing_usage", host},
		{"missing_cgroup", host},
		{"missing_stat", cgroup(512, 128)},
		{"garbage", host},
		{"garbage_usage", host},
		{"above_host", host},
		{"usage_over_limit", cgroup(512, 512)},
		{"escape", cgroup(256, 32)},
		// 1 GiB limit, 256 MiB used, but the host has only 128 MiB available: that is all the
		// process can get, and the rest of the limit counts as used.
		{"host_tighter", memstat.Memory{TotalBytes: 1024 * mib, AvailableBytes: 128 * mib, UsedBytes: 896 * mib, Source: memstat.SourceCgroup}},
	}
	for _, tc := range tests {
		t.Run(tc.tree, func(t *testing.T) {
			tree := testdataTree(tc.tree)
			got, err := memstat.NewReader(tree.proc(), tree.sys()).Read()
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, got.TotalBytes-got.AvailableBytes, got.UsedBytes)
		})
	}
}

func TestReaderHostErrors(t *testing.T) {
	for _, name := range []string{"no_meminfo", "bad_meminfo"} {
		t.Run(name, func(t *testing.T) {
			tree := testdataTree(name)
			_, err := memstat.NewReader(tree.proc(), tree.sys()).Read()
			require.ErrorIs(t, err, memstat.ErrUnavailable)
		})
	}
}

func TestReaderMissingRoots(t *testing.T) {
	dir := t.TempDir()
	_, err := memstat.NewReader(dir+"/nope", dir+"/nope").Read()
	require.ErrorIs(t, err, memstat.ErrUnavailable)
}

// Available above total in a broken meminfo must not make Used wrap around.
func TestReaderAvailableAboveTotal(t *testing.T) {
	tree := fakeTree(t.TempDir())
	tree.write(t, "proc/meminfo", "MemTotal: 1024 kB\nMemAvailable: 4096 kB\n")
	got, err := memstat.NewReader(tree.proc(), tree.sys()).Read()
	require.NoError(t, err)
	assert.Equal(t, memstat.Memory{TotalBytes: 1 << 20, AvailableBytes: 1 << 20, Source: memstat.SourceHost}, got)
}

// The files are resolved once, but their contents are read on every Read.
func TestReaderRereadsFiles(t *testing.T) {
	tree := copyTree(t, "v2_leaf")
	r := memstat.NewReader(tree.proc(), tree.sys())
	leaf := "sys/fs/cgroup/app.slice/worker.service/"
	tree.write(t, leaf+"memory.max", strconv.Itoa(256*mib))
	tree.write(t, leaf+"memory.current", strconv.Itoa(150*mib))
	got, err := r.Read()
	require.NoError(t, err)
	assert.Equal(t, memstat.Memory{TotalBytes: 256 * mib, AvailableBytes: 206 * mib, UsedBytes: 50 * mib, Source: memstat.SourceCgroup}, got)

	tree.write(t, leaf+"memory.max", "max")
	got, err = r.Read()
	require.NoError(t, err)
	assert.Equal(t, memstat.SourceHost, got.Source)
}
