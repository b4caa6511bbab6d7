package memstat_test

// The real machine's figures, read from Linux's /proc, against the package's: these run only on
// Linux (the parsing itself is tested on every OS over the fake trees in testdata).

import (
	"bufio"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/shirou/gopsutil/v3/mem"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
)

// The original reported process_mb == 0 until its first refresh.
func TestMonitorProcessMBFromTheStart(t *testing.T) {
	tree := testdataTree("v2_leaf")
	m := memstat.NewMonitor(time.Hour, memstat.NewReader(tree.proc(), tree.sys()))
	s, err := m.Stats()
	require.NoError(t, err)
	assert.Positive(t, s.ProcessMB)
	vmRSSMiB := float64(procField(t, "/proc/self/status", "VmRSS")) / 1024
	assert.InDelta(t, vmRSSMiB, s.ProcessMB, 16)
}

func TestMonitorNilReaderIsTheRealMachine(t *testing.T) {
	m := memstat.NewMonitor(time.Hour, nil)
	s, err := m.Stats()
	require.NoError(t, err)
	assert.Equal(t, float64(procMeminfoKB(t, "MemTotal"))/1024, s.TotalMB)
	assert.Equal(t, memstat.SourceHost, s.LimitSource)
}

// The real machine's figures agree with gopsutil's (the old implementation) within what can
// change between two reads.
func TestReaderRealMachineMatchesGopsutil(t *testing.T) {
	vm, err := mem.VirtualMemory()
	require.NoError(t, err)
	got, err := memstat.NewReader("/proc", "/sys").Read()
	require.NoError(t, err)
	assert.Equal(t, vm.Total, got.TotalBytes)
	assert.InDelta(t, float64(vm.Available), float64(got.AvailableBytes), 256*mib)
}

// This machine: a v1 hierarchy whose memory cgroup, at a nested path, has no limit.
func TestSystemMemoryRealMachine(t *testing.T) {
	got, err := memstat.SystemMemory()
	require.NoError(t, err)
	assert.Equal(t, memstat.SourceHost, got.Source)
	assert.Equal(t, procMeminfoKB(t, "MemTotal")*1024, got.TotalBytes)
	assert.Equal(t, got.TotalBytes-got.AvailableBytes, got.UsedBytes)
	assert.Positive(t, got.AvailableBytes)

	direct, err := memstat.NewReader("/proc", "/sys").Read()
	require.NoError(t, err)
	assert.Equal(t, got.TotalBytes, direct.TotalBytes)
	assert.Equal(t, got.Source, direct.Source)
}

func procMeminfoKB(t *testing.T, key string) uint64 {
	t.Helper()
	return procField(t, "/proc/meminfo", key)
}

// procField reads "Key:   123 kB" from a /proc file and returns 123.
func procField(t *testing.T, path, key string) uint64 {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		name, value, ok := strings.Cut(sc.Text(), ":")
		if ok && name == key {
			v, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
			require.NoError(t, err)
			return v
		}
	}
	t.Fatalf("%s has no %s", path, key)
	return 0
}
