package memstat_test

// The real Mac's figures against macOS's own tools (sysctl, vm_stat, ps). These run only on macOS:
// here they are compiled and vetted, never run; the arithmetic under them is tested on every OS
// in macos_memory_test.go and macos_process_test.go.

import (
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
)

// vmStatAvailable runs vm_stat and returns (free + inactive pages) * its page size.
func vmStatAvailable(t *testing.T) uint64 {
	t.Helper()
	out, err := exec.Command("vm_stat").Output()
	require.NoError(t, err)
	text := string(out)
	m := regexp.MustCompile(`page size of (\d+) bytes`).FindStringSubmatch(text)
	require.NotNil(t, m, "vm_stat header: %s", text)
	pageSize, err := strconv.ParseUint(m[1], 10, 64)
	require.NoError(t, err)
	pages := func(key string) uint64 {
		m := regexp.MustCompile(key + `:\s+(\d+)\.`).FindStringSubmatch(text)
		require.NotNil(t, m, "vm_stat has no %q", key)
		v, err := strconv.ParseUint(m[1], 10, 64)
		require.NoError(t, err)
		return v
	}
	return (pages("Pages free") + pages("Pages inactive")) * pageSize
}

func TestSystemMemoryMac(t *testing.T) {
	memsize, err := unix.SysctlUint64("hw.memsize")
	require.NoError(t, err)
	got, err := memstat.SystemMemory()
	require.NoError(t, err)
	assert.Equal(t, memsize, got.TotalBytes)
	assert.Equal(t, memstat.SourceHost, got.Source)
	assert.Positive(t, got.AvailableBytes)
	assert.Equal(t, got.TotalBytes-got.AvailableBytes, got.UsedBytes)
	assert.InDelta(t, float64(vmStatAvailable(t)), float64(got.AvailableBytes), 512*mib)
}

func TestMonitorNilReaderIsTheMac(t *testing.T) {
	memsize, err := unix.SysctlUint64("hw.memsize")
	require.NoError(t, err)
	s, err := memstat.NewMonitor(time.Hour, nil).Stats()
	require.NoError(t, err)
	assert.Equal(t, float64(memsize)/mib, s.TotalMB)
	assert.Equal(t, memstat.SourceHost, s.LimitSource)
	assert.Positive(t, s.ProcessMB)
}

// psRSS is ps's resident size for this process, in bytes.
func psRSS(t *testing.T) uint64 {
	t.Helper()
	out, err := exec.Command("ps", "-o", "rss=", "-p", strconv.Itoa(os.Getpid())).Output()
	require.NoError(t, err)
	kib, err := strconv.ParseUint(strings.TrimSpace(string(out)), 10, 64)
	require.NoError(t, err)
	return kib * 1024
}

func TestProcessRSSMac(t *testing.T) {
	block := make([]byte, 128*mib)
	for i := range block {
		block[i] = 1
	}
	rss, err := memstat.ProcessRSS()
	require.NoError(t, err)
	assert.Greater(t, rss, uint64(128*mib))
	assert.InDelta(t, float64(psRSS(t)), float64(rss), 32*mib)
	block[len(block)-1] = 2 // keep block resident until after the reads
}

func TestSelfInfoMac(t *testing.T) {
	first, err := memstat.SelfInfo()
	require.NoError(t, err)
	assert.Positive(t, first.RSSBytes)
	assert.GreaterOrEqual(t, first.VirtualBytes, first.RSSBytes)
	assert.True(t, strings.HasPrefix(filepath.Base(os.Args[0]), first.Name), "name %q, argv[0] %q", first.Name, os.Args[0])

	deadline := time.Now().Add(200 * time.Millisecond)
	for x := 0; time.Now().Before(deadline); x++ {
		_ = x * x
	}
	second, err := memstat.SelfInfo()
	require.NoError(t, err)
	assert.Greater(t, second.CPUPercent, 10.0) // a busy loop on one core, for most of the window
}
