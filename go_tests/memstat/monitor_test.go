package memstat_test

import (
	"math"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const leafDir = "sys/fs/cgroup/app.slice/worker.service/"

func TestMonitorStatsFormulas(t *testing.T) {
	tree := testdataTree("v2_leaf")
	m := memstat.NewMonitor(time.Hour, memstat.NewReader(tree.proc(), tree.sys()))
	m.SetML(64, 2)
	s, err := m.Stats()
	require.NoError(t, err)
	assert.Equal(t, 512.0, s.TotalMB)
	assert.Equal(t, 312.0, s.AvailableMB)
	assert.Equal(t, 200.0, s.UsedMB)
	assert.Equal(t, 200.0/512*100, s.SystemPercent)
	assert.Equal(t, 64.0, s.MLModelsMB)
	assert.Equal(t, 2, s.MLModelsCount)
	assert.Equal(t, 64.0/512*100, s.MLPercent)
	assert.Equal(t, memstat.SourceCgroup, s.LimitSource)
	assert.Equal(t, time.Hour, m.Interval())
}

func TestMonitorCacheHonoursInterval(t *testing.T) {
	tree := copyTree(t, "v2_leaf")
	r := memstat.NewReader(tree.proc(), tree.sys())
	never := memstat.NewMonitor(time.Hour, r)
	soon := memstat.NewMonitor(20*time.Millisecond, r)
	always := memstat.NewMonitor(0, r)

	tree.write(t, leafDir+"memory.max", strconv.Itoa(256*mib))

	s, err := never.Stats()
	require.NoError(t, err)
	assert.Equal(t, 512.0, s.TotalMB, "inside the interval the cache holds")

	s, err = always.Stats()
	require.NoError(t, err)
	assert.Equal(t, 256.0, s.TotalMB, "a zero interval refreshes on every call")

	time.Sleep(30 * time.Millisecond)
	s, err = soon.Stats()
	require.NoError(t, err)
	assert.Equal(t, 256.0, s.TotalMB, "after the interval the cache refreshes")

	s, err = never.Stats()
	require.NoError(t, err)
	assert.Equal(t, 512.0, s.TotalMB)
}

func TestMonitorSetMLSurvivesRefresh(t *testing.T) {
	tree := copyTree(t, "v2_leaf")
	m := memstat.NewMonitor(0, memstat.NewReader(tree.proc(), tree.sys()))
	m.SetML(123.5, 3)
	tree.write(t, leafDir+"memory.max", strconv.Itoa(256*mib))
	s, err := m.Stats()
	require.NoError(t, err)
	assert.Equal(t, 256.0, s.TotalMB)
	assert.Equal(t, 123.5, s.MLModelsMB)
	assert.Equal(t, 3, s.MLModelsCount)
	assert.Equal(t, 123.5/256*100, s.MLPercent)
}

func TestMonitorIsAvailable(t *testing.T) {
	tree := fakeTree(t.TempDir())
	tree.write(t, "proc/meminfo", meminfo(1000, 400)) // used 600 MiB
	m := memstat.NewMonitor(time.Hour, memstat.NewReader(tree.proc(), tree.sys()))
	nan, inf := math.NaN(), math.Inf(1)
	tests := []struct {
		name                  string
		requiredMB, threshold float64
		want                  bool
	}{
		{"fits", 100, 80, true},
		{"reaches the threshold exactly", 200, 80, false},
		{"just under the threshold", 199, 80, true},
		{"percent fits but not more than available", 400, 101, false},
		{"just under available", 399.5, 101, true},
		{"nothing required, threshold at current use", 0, 60, false},
		{"nothing required, threshold above current use", 0, 60.001, true},
		{"negative requirement taken as is", -100, 60, true},
		{"zero threshold", 0, 0, false},
		{"infinite threshold", 1, inf, true},
		{"infinite requirement", inf, inf, false},
		{"NaN requirement", nan, 100, false},
		{"NaN threshold", 10, nan, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, m.IsAvailable(tc.requiredMB, tc.threshold))
		})
	}
}

// IsAvailable answers from the cache: changing the files does not change its answer.
func TestMonitorIsAvailableUsesCacheOnly(t *testing.T) {
	tree := fakeTree(t.TempDir())
	tree.write(t, "proc/meminfo", meminfo(1000, 400))
	m := memstat.NewMonitor(0, memstat.NewReader(tree.proc(), tree.sys()))
	require.True(t, m.IsAvailable(100, 80))
	tree.write(t, "proc/meminfo", meminfo(1000, 50))
	assert.True(t, m.IsAvailable(100, 80))
	_, err := m.Stats()
	require.NoError(t, err)
	assert.False(t, m.IsAvailable(100, 80))
}

// A first reading that fails leaves an empty cache; the next Stats retries.
func TestMonitorEmptyCache(t *testing.T) {
	tree := fakeTree(t.TempDir())
	m := memstat.NewMonitor(time.Hour, memstat.NewReader(tree.proc(), tree.sys()))
	assert.False(t, m.IsAvailable(0, 100))
	_, err := m.Stats()
	require.ErrorIs(t, err, memstat.ErrUnavailable)

	tree.write(t, "proc/meminfo", meminfo(1000, 400))
	s, err := m.Stats()
	require.NoError(t, err)
	assert.Equal(t, 1000.0, s.TotalMB)
	assert.True(t, m.IsAvailable(100, 80))
}

// A failed refresh reports its error and keeps what was cached.
func TestMonitorFailedRefreshKeepsCache(t *testing.T) {
	tree := fakeTree(t.TempDir())
	tree.write(t, "proc/meminfo", meminfo(1000, 400))
	m := memstat.NewMonitor(0, memstat.NewReader(tree.proc(), tree.sys()))
	tree.write(t, "proc/meminfo", "MemTotal: garbage kB\n")
	_, err := m.Stats()
	require.ErrorIs(t, err, memstat.ErrUnavailable)
	assert.True(t, m.IsAvailable(100, 80))
}

// Run with -race: readers, writers and refreshes at once.
func TestMonitorConcurrentUse(t *testing.T) {
	tree := testdataTree("v2_leaf")
	m := memstat.NewMonitor(time.Microsecond, memstat.NewReader(tree.proc(), tree.sys()))
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				switch (g + i) % 3 {
				case 0:
					s, err := m.Stats()
					assert.NoError(t, err)
					assert.Equal(t, 512.0, s.TotalMB)
				case 1:
					m.SetML(float64(i), i)
				default:
					assert.True(t, m.IsAvailable(1, 100))
				}
			}
		}()
	}
	wg.Wait()
}
