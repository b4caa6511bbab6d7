package memstat_test

import (
	"errors"
	"math"
	"testing"
	"time"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/memstat"
	"github.com/stretchr/testify/require"
)

func TestLevelForEveryBoundary(t *testing.T) {
	th := memstat.Thresholds{4096, 2048, 1024, 512}
	up := func(v float64) float64 { return math.Nextafter(v, math.Inf(1)) }
	cases := []struct {
		available float64
		want      memstat.PressureLevel
	}{
		{math.Inf(1), memstat.LevelLow},
		{up(4096), memstat.LevelLow},
		{4096, memstat.LevelMedium}, // exactly at a threshold is already the worse level
		{up(2048), memstat.LevelMedium},
		{2048, memstat.LevelHigh},
		{up(1024), memstat.LevelHigh},
		{1024, memstat.LevelCritical},
		{up(512), memstat.LevelCritical},
		{512, memstat.LevelEmergency},
		{0, memstat.LevelEmergency},
		{-1, memstat.LevelEmergency},
		{math.NaN(), memstat.LevelEmergency},
	}
	for _, c := range cases {
		require.Equal(t, c.want, memstat.LevelFor(c.available, th), "available %v", c.available)
	}
	require.Equal(t, memstat.DefaultThresholds, th)
}

func TestLevelNames(t *testing.T) {
	for i, name := range []string{"low", "medium", "high", "critical", "emergency"} {
		l, err := memstat.ParsePressureLevel(name)
		require.NoError(t, err)
		require.Equal(t, memstat.PressureLevel(i), l)
		require.Equal(t, name, l.String())
	}
	for _, bad := range []string{"", "LOW", "severe", "low "} {
		_, err := memstat.ParsePressureLevel(bad)
		require.ErrorIs(t, err, memstat.ErrInvalidArgument, bad)
	}
	require.Equal(t, "PressureLevel(7)", memstat.PressureLevel(7).String())
}

func TestThresholdsValidate(t *testing.T) {
	require.NoError(t, memstat.DefaultThresholds.Validate())
	require.NoError(t, memstat.Thresholds{4, 3, 2, 1e-9}.Validate())
	for _, bad := range []memstat.Thresholds{
		{4096, 2048, 1024, 1024},         // not strictly decreasing
		{512, 1024, 2048, 4096},          // increasing
		{4096, 2048, 1024, 0},            // zero
		{4096, 2048, 1024, -1},           // negative
		{math.NaN(), 2048, 1024, 512},    // NaN
		{math.Inf(1), 2048, 1024, 512},   // infinite
		{4096, math.NaN(), 1024, 512},    // NaN in the middle
		{4096, 2048, 1024, math.Inf(-1)}, // -inf
		{4096, 4096.000001, 1024, 512},   // a tiny rise
	} {
		require.ErrorIs(t, bad.Validate(), memstat.ErrInvalidArgument, "%v", bad)
	}
}

func TestTrendSlopeInjected(t *testing.T) {
	_, ok := memstat.TrendSlope(nil, nil)
	require.False(t, ok)
	_, ok = memstat.TrendSlope([]float64{1}, []float64{100})
	require.False(t, ok, "one reading has no trend")
	_, ok = memstat.TrendSlope([]float64{1, 1, 1}, []float64{1, 2, 3})
	require.False(t, ok, "readings at one instant have no trend")
	_, ok = memstat.TrendSlope([]float64{1, 2}, []float64{1})
	require.False(t, ok, "mismatched lengths")

	s, ok := memstat.TrendSlope([]float64{0, 2}, []float64{1000, 900})
	require.True(t, ok)
	require.InDelta(t, -50, s, 1e-12)

	// An exact line is recovered; noise around it averages out by least squares.
	secs := []float64{0, 1, 2, 3, 4, 5}
	mb := []float64{8000, 7990, 7980, 7970, 7960, 7950}
	s, ok = memstat.TrendSlope(secs, mb)
	require.True(t, ok)
	require.InDelta(t, -10, s, 1e-9)
	mb = []float64{8001, 7989, 7981, 7969, 7961, 7949}
	s, _ = memstat.TrendSlope(secs, mb)
	require.InDelta(t, -178/17.5, s, 1e-9) // by hand: sum(dt*dv) / sum(dt^2) = -178 / 17.5
}

func TestTrendRingKeepsLatest(t *testing.T) {
	var tr memstat.Trend
	_, ok := tr.Slope()
	require.False(t, ok)
	t0 := time.Unix(1000, 0)
	tr.Add(t0, 5000)
	_, ok = tr.Slope()
	require.False(t, ok, "None until two readings")
	tr.Add(t0.Add(time.Second), 4990)
	s, ok := tr.Slope()
	require.True(t, ok)
	require.InDelta(t, -10, s, 1e-9)

	// Fill past the ring: only the latest TrendLen readings count. The old ones fell at
	// -10 MiB/s; the latest TrendLen rise at +3 MiB/s.
	for i := 2; i < 30; i++ {
		mb := 4990 - 10*float64(i-1)
		if i >= 30-memstat.TrendLen {
			mb = 1000 + 3*float64(i)
		}
		tr.Add(t0.Add(time.Duration(i)*time.Second), mb)
	}
	s, ok = tr.Slope()
	require.True(t, ok)
	require.InDelta(t, 3, s, 1e-9)
}

func TestErrorsAreNamed(t *testing.T) {
	_, err := memstat.ParsePSI([]byte("nonsense"))
	require.True(t, errors.Is(err, memstat.ErrUnavailable))
}
