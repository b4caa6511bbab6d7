package memstat

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
)

// PSILine is one line of a Linux pressure stall information file: the share of wall time (in
// percent, 0-100) some or all tasks stalled waiting for memory, averaged over 10, 60 and 300
// seconds, and the total stall time since boot (or since the cgroup was created) in microseconds.
type PSILine struct {
	Avg10, Avg60, Avg300 float64
	TotalUs              uint64
}

// PSI is a parsed /proc/pressure/memory or cgroup v2 memory.pressure file. Some is the "some"
// line (at least one task stalled); Full is the "full" line (all non-idle tasks stalled), valid
// only when HasFull is true: kernels before 5.13 print no "full" line for CPU, and a file
// without one parses with HasFull false rather than failing.
type PSI struct {
	Some, Full PSILine
	HasFull    bool
}

// ParsePSI parses the contents of a pressure file: a "some" line and optionally a "full" line,
// each "avg10=A avg60=B avg300=C total=T" (extra key=value fields are ignored). Totals up to the
// largest uint64 parse exactly. A missing "some" line or required field, a repeated line or
// field, an unknown line, an average that is not a finite number in 0-100, or a total that is not
// a decimal uint64 returns an error wrapping ErrUnavailable.
func ParsePSI(b []byte) (PSI, error) {
	var p PSI
	hasSome := false
	for len(b) > 0 {
		var line []byte
		line, b, _ = bytes.Cut(b, []byte{'\n'})
		line = bytes.TrimSpace(line)
		if len(line) == 0 {
			continue
		}
		kind, fields, _ := bytes.Cut(line, []byte{' '})
		var dst *PSILine
		switch string(kind) {
		case "some":
			if hasSome {
				return PSI{}, psiError("repeated \"some\" line")
			}
			dst, hasSome = &p.Some, true
		case "full":
			if p.HasFull {
				return PSI{}, psiError("repeated \"full\" line")
			}
			dst, p.HasFull = &p.Full, true
		default:
			return PSI{}, psiError(fmt.Sprintf("unknown line %.40q", line))
		}
		if err := parsePSIFields(fields, dst); err != nil {
			return PSI{}, err
		}
	}
	if !hasSome {
		return PSI{}, psiError("no \"some\" line")
	}
	return p, nil
}

const (
	psiAvg10 = 1 << iota
	psiAvg60
	psiAvg300
	psiTotal
	psiAll = psiAvg10 | psiAvg60 | psiAvg300 | psiTotal
)

func parsePSIFields(fields []byte, dst *PSILine) error {
	seen := 0
	for _, f := range bytes.Fields(fields) {
		key, value, ok := bytes.Cut(f, []byte{'='})
		if !ok {
			return psiError(fmt.Sprintf("field %.40q is not key=value", f))
		}
		var bit int
		var avg *float64
		switch string(key) {
		case "avg10":
			bit, avg = psiAvg10, &dst.Avg10
		case "avg60":
			bit, avg = psiAvg60, &dst.Avg60
		case "avg300":
			bit, avg = psiAvg300, &dst.Avg300
		case "total":
			bit = psiTotal
		default:
			continue // a field a later kernel may add
		}
		if seen&bit != 0 {
			return psiError(fmt.Sprintf("repeated field %q", key))
		}
		seen |= bit
		if avg == nil {
			v, err := strconv.ParseUint(string(value), 10, 64)
			if err != nil {
				return psiError(fmt.Sprintf("total %.40q is not a decimal uint64", value))
			}
			dst.TotalUs = v
			continue
		}
		v, err := strconv.ParseFloat(string(value), 64)
		if err != nil || math.IsNaN(v) || v < 0 || v > 100 {
			return psiError(fmt.Sprintf("%s %.40q is not a percentage", key, value))
		}
		*avg = v
	}
	if seen != psiAll {
		return psiError("a line lacks avg10, avg60, avg300 or total")
	}
	return nil
}

func psiError(what string) error {
	return fmt.Errorf("malformed pressure file: %s: %w", what, ErrUnavailable)
}
