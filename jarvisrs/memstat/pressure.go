package memstat

import (
	"fmt"
	"math"
	"time"
)

// PressureLevel is how short of memory the process is, from the memory still available to it
// (host or cgroup, as Memory reports it). Higher is worse.
type PressureLevel int

// The pressure levels, in order of increasing pressure.
const (
	// LevelLow means available memory is above the first threshold.
	LevelLow PressureLevel = iota
	// LevelMedium means available memory is at most the first threshold, above the second.
	LevelMedium
	// LevelHigh means available memory is at most the second threshold, above the third.
	LevelHigh
	// LevelCritical means available memory is at most the third threshold, above the fourth.
	LevelCritical
	// LevelEmergency means available memory is at most the fourth threshold.
	LevelEmergency
)

var levelNames = [...]string{"low", "medium", "high", "critical", "emergency"}

// String returns the level's name: "low", "medium", "high", "critical" or "emergency".
func (l PressureLevel) String() string {
	if l < LevelLow || l > LevelEmergency {
		return fmt.Sprintf("PressureLevel(%d)", int(l))
	}
	return levelNames[l]
}

// ParsePressureLevel returns the level named name (as String spells it). Any other name returns
// an error wrapping ErrInvalidArgument.
func ParsePressureLevel(name string) (PressureLevel, error) {
	for i, n := range levelNames {
		if n == name {
			return PressureLevel(i), nil
		}
	}
	return 0, fmt.Errorf("unknown pressure level %q (want low, medium, high, critical or emergency): %w", name, ErrInvalidArgument)
}

// Thresholds are the available-memory boundaries between the levels, in MiB, strictly
// decreasing: above [0] is LevelLow, above [1] LevelMedium, above [2] LevelHigh, above [3]
// LevelCritical, anything else LevelEmergency.
type Thresholds [4]float64

// DefaultThresholds are the assistant's tiers: low above 4 GiB available, medium 2-4 GiB, high
// 1-2 GiB, critical 0.5-1 GiB, emergency below 0.5 GiB.
var DefaultThresholds = Thresholds{4096, 2048, 1024, 512}

// Validate returns an error wrapping ErrInvalidArgument unless the thresholds are four finite,
// positive, strictly decreasing numbers.
func (t Thresholds) Validate() error {
	for i, v := range t {
		if math.IsNaN(v) || math.IsInf(v, 0) || v <= 0 {
			return fmt.Errorf("pressure threshold %d is %v, not a finite positive number of MiB: %w", i, v, ErrInvalidArgument)
		}
		if i > 0 && !(v < t[i-1]) {
			return fmt.Errorf("pressure thresholds must be strictly decreasing, got %v: %w", [4]float64(t), ErrInvalidArgument)
		}
	}
	return nil
}

// LevelFor returns the level for availableMB MiB available under thresholds t: the one table
// every caller (the monitor, the wait, the binding) uses. Available memory exactly at a threshold
// is already the worse level. NaN counts as no memory (LevelEmergency). t is assumed valid.
func LevelFor(availableMB float64, t Thresholds) PressureLevel {
	for i, limit := range t {
		if availableMB > limit {
			return PressureLevel(i)
		}
	}
	return LevelEmergency
}

// TrendLen is how many of the latest readings a Trend keeps.
const TrendLen = 8

// Trend keeps the latest TrendLen timestamped readings of available memory and fits a line
// through them. The Monitor feeds it one reading per refresh (see Monitor.Pressure); any other
// cache can feed it the same way. The zero value is empty and ready; it is not safe for
// concurrent use.
type Trend struct {
	base  time.Time // the first reading's time; later times are seconds since it
	secs  [TrendLen]float64
	mb    [TrendLen]float64
	n     int // readings kept, up to TrendLen
	next  int // where the next reading goes
	based bool
}

// Add records availableMB MiB available at time at. Times should not go backwards; a monotonic
// clock reading (time.Now) keeps them so.
func (t *Trend) Add(at time.Time, availableMB float64) {
	if !t.based {
		t.base, t.based = at, true
	}
	t.secs[t.next] = at.Sub(t.base).Seconds()
	t.mb[t.next] = availableMB
	t.next = (t.next + 1) % TrendLen
	t.n = min(t.n+1, TrendLen)
}

// Slope returns TrendSlope over the kept readings: MiB per second, negative while available
// memory shrinks. ok is false with fewer than two readings or when they all share one time.
func (t *Trend) Slope() (mbPerS float64, ok bool) {
	return TrendSlope(t.secs[:t.n], t.mb[:t.n])
}

// TrendSlope is the least-squares slope of mb against secs (MiB per second), the pure function
// behind Trend. The slices must have the same length. ok is false with fewer than two readings,
// when all times are equal, or when the result is not finite.
func TrendSlope(secs, mb []float64) (mbPerS float64, ok bool) {
	n := len(secs)
	if n < 2 || len(mb) != n {
		return 0, false
	}
	var mt, mv float64
	for i := range n {
		mt += secs[i]
		mv += mb[i]
	}
	mt /= float64(n)
	mv /= float64(n)
	var num, den float64
	for i := range n {
		dt := secs[i] - mt
		num += dt * (mb[i] - mv)
		den += dt * dt
	}
	if !(den > 0) {
		return 0, false
	}
	s := num / den
	if math.IsNaN(s) || math.IsInf(s, 0) {
		return 0, false
	}
	return s, true
}
