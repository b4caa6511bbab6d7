package memstat_test

import (
	"math"
	"testing"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/require"
)

// TestMonitorPressure drives Monitor.Pressure over a fake v2 tree whose cgroup has a limit of
// 512 MiB: available is what Stats reports, the trend follows refreshes, the kernel figures
// come from the cgroup's memory.pressure.
func TestMonitorPressure(t *testing.T) {
	tree := copyTree(t, "v2_leaf")
	tree.write(t, leafDir+"memory.pressure", wellFormedPSI)
	m := memstat.NewMonitor(0, memstat.NewReader(tree.proc(), tree.sys())) // every call refreshes
	m.UseKernelPressure(memstat.NewKernelPressureReader(tree.proc(), tree.sys()))

	th := memstat.Thresholds{400, 300, 200, 100}
	p, err := m.Pressure(th)
	require.NoError(t, err)
	require.Equal(t, 312.0, p.AvailableMB) // 512 limit - (300 usage - 100 inactive)
	require.Equal(t, memstat.LevelMedium, p.Level)
	require.True(t, p.HasTrend, "NewMonitor's reading and this refresh make two")
	require.InDelta(t, 0, p.TrendMBPerS, 1e-9, "nothing changed")
	require.Equal(t, memstat.KernelPSI, p.Kernel.Kind)
	require.Equal(t, tree.sys()+"/fs/cgroup/app.slice/worker.service/memory.pressure", p.Kernel.Source)
	require.Equal(t, uint64(65432), p.Kernel.PSI.Full.TotalUs)
	require.Equal(t, m.KernelPressureReader().PSIPath(), p.Kernel.Source)

	// Usage grows by 100 MiB: available falls, the trend turns negative, the level worsens.
	time.Sleep(20 * time.Millisecond)
	tree.write(t, leafDir+"memory.current", "419430400\n")
	p, err = m.Pressure(th)
	require.NoError(t, err)
	require.Equal(t, 212.0, p.AvailableMB)
	require.Equal(t, memstat.LevelHigh, p.Level)
	require.Less(t, p.TrendMBPerS, 0.0)
	s, err := m.Stats()
	require.NoError(t, err)
	require.Equal(t, s.AvailableMB, p.AvailableMB)

	_, err = m.Pressure(memstat.Thresholds{1, 2, 3, 4})
	require.ErrorIs(t, err, memstat.ErrInvalidArgument)
}

func TestMonitorPressureFollowsInterval(t *testing.T) {
	tree := copyTree(t, "v2_leaf")
	tree.write(t, leafDir+"memory.pressure", wellFormedPSI)
	m := memstat.NewMonitor(time.Hour, memstat.NewReader(tree.proc(), tree.sys()))
	m.UseKernelPressure(memstat.NewKernelPressureReader(tree.proc(), tree.sys()))
	p, err := m.Pressure(memstat.DefaultThresholds)
	require.NoError(t, err)
	require.False(t, p.HasTrend, "one reading: no trend")
	require.True(t, math.IsNaN(p.TrendMBPerS))
	require.Equal(t, memstat.LevelEmergency, p.Level) // 312 MiB under the default tiers

	// Within the interval neither the memory figures nor the kernel's are read again.
	tree.write(t, leafDir+"memory.current", "419430400\n")
	tree.write(t, leafDir+"memory.pressure", "some avg10=50.00 avg60=0.00 avg300=0.00 total=1\n")
	p2, err := m.Pressure(memstat.DefaultThresholds)
	require.NoError(t, err)
	require.Equal(t, p.AvailableMB, p2.AvailableMB)
	require.Equal(t, p.Kernel, p2.Kernel)
}

func TestMonitorPressureKernelUnreadable(t *testing.T) {
	tree := copyTree(t, "v2_leaf")
	tree.write(t, leafDir+"memory.pressure", "garbage")
	m := memstat.NewMonitor(0, memstat.NewReader(tree.proc(), tree.sys()))
	m.UseKernelPressure(memstat.NewKernelPressureReader(tree.proc(), tree.sys()))
	p, err := m.Pressure(memstat.DefaultThresholds)
	require.NoError(t, err, "a bad pressure file does not fail the reading")
	require.Equal(t, memstat.KernelPressure{}, p.Kernel)
}

// TestMonitorRefreshIgnoresTheInterval: Refresh reads fresh figures even within the interval
// (the Python cache calls it when its own cache is stale), publishes them for Stats, and counts
// as a reading of the pressure trend.
func TestMonitorRefreshIgnoresTheInterval(t *testing.T) {
	tree := copyTree(t, "v2_leaf")
	tree.write(t, leafDir+"memory.pressure", wellFormedPSI)
	m := memstat.NewMonitor(time.Hour, memstat.NewReader(tree.proc(), tree.sys()))
	m.UseKernelPressure(memstat.NewKernelPressureReader(tree.proc(), tree.sys()))

	time.Sleep(20 * time.Millisecond)
	tree.write(t, leafDir+"memory.current", "419430400\n")
	s, err := m.Stats()
	require.NoError(t, err)
	require.Equal(t, 312.0, s.AvailableMB, "within the interval Stats keeps the cache")

	s, err = m.Refresh()
	require.NoError(t, err)
	require.Equal(t, 212.0, s.AvailableMB, "Refresh reads again")
	again, err := m.Stats()
	require.NoError(t, err)
	require.Equal(t, s, again, "and publishes what it read")

	p, err := m.Pressure(memstat.DefaultThresholds)
	require.NoError(t, err)
	require.True(t, p.HasTrend, "NewMonitor's reading and the Refresh make two")
	require.Less(t, p.TrendMBPerS, 0.0)
}
