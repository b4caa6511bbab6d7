package memstat_test

import (
	"math"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestProcessRSSMatchesStatus(t *testing.T) {
	rss, err := memstat.ProcessRSS()
	require.NoError(t, err)
	vmRSS := procField(t, "/proc/self/status", "VmRSS") * 1024
	assert.InDelta(t, float64(vmRSS), float64(rss), 4*mib)
}

func TestSelfInfo(t *testing.T) {
	skipIfStatFaked(t)
	info, err := memstat.SelfInfo()
	require.NoError(t, err)
	assert.InDelta(t, float64(procField(t, "/proc/self/status", "VmRSS")*1024), float64(info.RSSBytes), 4*mib)
	// The Go runtime reserves address space in large steps, so allow a wider margin.
	assert.InDelta(t, float64(procField(t, "/proc/self/status", "VmSize")*1024), float64(info.VirtualBytes), 64*mib)
	comm, err := os.ReadFile("/proc/self/comm")
	require.NoError(t, err)
	assert.True(t, strings.HasPrefix(info.Name, strings.TrimSpace(string(comm))), "name %q, comm %q", info.Name, comm)
	assert.GreaterOrEqual(t, info.CPUPercent, 0.0)
	assert.False(t, math.IsNaN(info.CPUPercent) || math.IsInf(info.CPUPercent, 0))

	// Spin so the next window certainly holds some CPU time.
	deadline := time.Now().Add(50 * time.Millisecond)
	x := 0
	for time.Now().Before(deadline) {
		x++
	}
	info, err = memstat.SelfInfo()
	require.NoError(t, err)
	assert.Positive(t, info.CPUPercent, "after %d spins", x)
	assert.False(t, math.IsInf(info.CPUPercent, 0))
}
