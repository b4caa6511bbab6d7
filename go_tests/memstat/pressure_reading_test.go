package memstat_test

import (
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/require"
)

// fakeClock is a settable clock for Monitor.UseKernelClock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

const otherPSI = "some avg10=9.50 avg60=4.00 avg300=1.00 total=999999\n" +
	"full avg10=3.00 avg60=2.00 avg300=0.50 total=555555\n"

// pressureTree is a v2 cgroup (512 MiB limit, 312 MiB available) whose memory.pressure is
// wellFormedPSI, and a Monitor over it with the given interval and a fake kernel clock.
func pressureTree(t *testing.T, interval time.Duration) (fakeTree, *memstat.Monitor, *fakeClock) {
	t.Helper()
	tree := copyTree(t, "v2_leaf")
	tree.write(t, leafDir+"memory.pressure", wellFormedPSI)
	m := memstat.NewMonitor(interval, memstat.NewReader(tree.proc(), tree.sys()))
	m.UseKernelPressure(memstat.NewKernelPressureReader(tree.proc(), tree.sys()))
	clock := &fakeClock{now: time.Unix(1_000_000, 0)}
	m.UseKernelClock(clock.Now)
	return tree, m, clock
}

// TestKernelFiguresReadAtMostEvery2s: with an interval of 0 every call refreshes the memory
// figures (and the trend sees each), but the PSI file is read again only once the kept figures
// are KernelMaxAge (2 s) old, so they are never older than that.
func TestKernelFiguresReadAtMostEvery2s(t *testing.T) {
	tree, m, clock := pressureTree(t, 0)
	first, err := m.Pressure(memstat.DefaultThresholds)
	require.NoError(t, err)
	require.Equal(t, uint64(123456), first.Kernel.PSI.Some.TotalUs)
	require.NotZero(t, first.KernelReading)

	tree.write(t, leafDir+"memory.pressure", otherPSI)
	tree.write(t, leafDir+"memory.current", "419430400\n") // available 312 -> 212 MiB
	clock.Advance(memstat.KernelMaxAge - time.Millisecond)
	p, err := m.Pressure(memstat.DefaultThresholds)
	require.NoError(t, err)
	require.Equal(t, 212.0, p.AvailableMB, "the memory figures are refreshed on every call")
	require.Equal(t, first.Kernel, p.Kernel, "the PSI file is not read again within 2 s")
	require.Equal(t, first.KernelReading, p.KernelReading)

	clock.Advance(time.Millisecond)
	p, err = m.Pressure(memstat.DefaultThresholds)
	require.NoError(t, err)
	require.Equal(t, uint64(999999), p.Kernel.PSI.Some.TotalUs, "2 s old: read again")
	require.Equal(t, 9.5, p.Kernel.PSI.Some.Avg10)
	require.Equal(t, first.KernelReading+1, p.KernelReading)
	require.True(t, p.HasTrend)
	require.Less(t, p.TrendMBPerS, 0.0, "the trend saw the refresh in between")
}

// TestKernelFiguresFollowTheInterval: within the update interval nothing is read again, however
// old the kernel figures grow; the next refresh reads them again when they are 2 s old.
func TestKernelFiguresFollowTheInterval(t *testing.T) {
	tree, m, clock := pressureTree(t, time.Hour)
	first, err := m.Pressure(memstat.DefaultThresholds)
	require.NoError(t, err)
	tree.write(t, leafDir+"memory.pressure", otherPSI)
	clock.Advance(10 * time.Second)
	p, err := m.Pressure(memstat.DefaultThresholds)
	require.NoError(t, err)
	require.Equal(t, first.Kernel, p.Kernel, "no refresh, no new kernel figures")

	_, p, err = m.StatsAndPressure(memstat.DefaultThresholds, true)
	require.NoError(t, err)
	require.Equal(t, uint64(999999), p.Kernel.PSI.Some.TotalUs, "a refresh with 10 s old figures reads them")
}

// TestStatsAndPressureRefreshOrNot: with refresh, one fresh reading gives both the statistics
// and the pressure; without, the latest reading is taken as it is, even when stale.
func TestStatsAndPressureRefreshOrNot(t *testing.T) {
	tree, m, _ := pressureTree(t, 0) // every reading is stale at once
	th := memstat.Thresholds{400, 300, 200, 100}

	tree.write(t, leafDir+"memory.current", "419430400\n") // available 312 -> 212 MiB
	s, p, err := m.StatsAndPressure(th, false)
	require.NoError(t, err)
	require.Equal(t, 312.0, s.AvailableMB, "no refresh: NewMonitor's reading")
	require.Equal(t, s.AvailableMB, p.AvailableMB)
	require.Equal(t, memstat.LevelMedium, p.Level)
	require.False(t, p.HasTrend, "one reading so far")

	s, p, err = m.StatsAndPressure(th, true)
	require.NoError(t, err)
	require.Equal(t, 212.0, s.AvailableMB, "refreshed")
	require.Equal(t, 212.0, p.AvailableMB, "the pressure of the same reading")
	require.Equal(t, memstat.LevelHigh, p.Level)
	require.True(t, p.HasTrend, "the refresh is the trend's second reading")
	require.Equal(t, memstat.SourceCgroup, s.LimitSource)

	again, _, err := m.StatsAndPressure(th, false)
	require.NoError(t, err)
	require.Equal(t, s, again, "the refresh was published")

	_, _, err = m.StatsAndPressure(memstat.Thresholds{1, 2, 3, 4}, true)
	require.ErrorIs(t, err, memstat.ErrInvalidArgument)
}

// TestStatsAndPressureFillsAnEmptyCache: a Monitor whose first reading failed has nothing to
// describe; StatsAndPressure without refresh reads then, and reports the failure.
func TestStatsAndPressureFillsAnEmptyCache(t *testing.T) {
	tree := copyTree(t, "v2_leaf")
	meminfo, err := os.ReadFile(filepath.Join(string(tree), "proc", "meminfo"))
	require.NoError(t, err)
	tree.write(t, "proc/meminfo", "garbage\n")
	m := memstat.NewMonitor(time.Hour, memstat.NewReader(tree.proc(), tree.sys()))
	_, _, err = m.StatsAndPressure(memstat.DefaultThresholds, false)
	require.ErrorIs(t, err, memstat.ErrUnavailable)

	tree.write(t, "proc/meminfo", string(meminfo))
	s, p, err := m.StatsAndPressure(memstat.DefaultThresholds, false)
	require.NoError(t, err)
	require.Greater(t, s.TotalMB, 0.0)
	require.Equal(t, s.AvailableMB, p.AvailableMB)
}

// TestUseKernelPressureKeepsTheNumbering: a new reader's first figures get a new number, so a
// caller holding the old reader's figures does not take them for the same.
func TestUseKernelPressureKeepsTheNumbering(t *testing.T) {
	tree, m, _ := pressureTree(t, time.Hour)
	p, err := m.Pressure(memstat.DefaultThresholds)
	require.NoError(t, err)
	tree.write(t, leafDir+"memory.pressure", otherPSI)
	m.UseKernelPressure(memstat.NewKernelPressureReader(tree.proc(), tree.sys()))
	q, err := m.Pressure(memstat.DefaultThresholds)
	require.NoError(t, err)
	require.Equal(t, p.KernelReading+1, q.KernelReading)
	require.Equal(t, uint64(999999), q.Kernel.PSI.Some.TotalUs, "the new reader is read at once")
}

// TestRefreshReadsOnce: with an interval of 0, Refresh makes one reading, not two (it once
// returned through Stats, to which the new reading was already stale). Seen through the trend:
// NewMonitor's reading and seven refreshes fill its TrendLen (8) slots, so the first, larger
// reading still counts; two readings a refresh would have pushed it out (a flat trend).
func TestRefreshReadsOnce(t *testing.T) {
	tree, m, _ := pressureTree(t, 0)
	time.Sleep(5 * time.Millisecond)
	tree.write(t, leafDir+"memory.current", "419430400\n") // available 312 -> 212 MiB
	for range memstat.TrendLen - 1 {
		s, err := m.Refresh()
		require.NoError(t, err)
		require.Equal(t, 212.0, s.AvailableMB)
	}
	_, p, err := m.StatsAndPressure(memstat.DefaultThresholds, false)
	require.NoError(t, err)
	require.True(t, p.HasTrend)
	require.Less(t, p.TrendMBPerS, 0.0, "NewMonitor's 312 MiB is still among the last 8 readings")
}

// TestStatsAndPressureConcurrent: goroutines refreshing and reading at once (the clock moving
// past KernelMaxAge now and then) each see whole readings and kernel numbers that never go back.
// Run it with -race too.
func TestStatsAndPressureConcurrent(t *testing.T) {
	_, m, clock := pressureTree(t, 0)
	var wg sync.WaitGroup
	errs := make(chan string, 8)
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var last uint64
			for i := range 200 {
				if g == 0 && i%20 == 0 {
					clock.Advance(memstat.KernelMaxAge)
				}
				s, p, err := m.StatsAndPressure(memstat.DefaultThresholds, (g+i)%2 == 0)
				switch {
				case err != nil:
					errs <- err.Error()
					return
				case s.AvailableMB != p.AvailableMB:
					errs <- "stats and pressure of different readings"
					return
				case p.KernelReading < last || p.Kernel.Kind != memstat.KernelPSI:
					errs <- "kernel reading went back or was lost"
					return
				}
				last = p.KernelReading
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
}
