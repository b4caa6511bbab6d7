package memstat

import (
	"bytes"
	"fmt"
	"math"
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
	for len(fields) > 0 {
		var f []byte
		f, fields, _ = bytes.Cut(fields, []byte{' '})
		if len(f) == 0 {
			continue
		}
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
			v, ok := parseDecimalUint(value)
			if !ok {
				return psiError(fmt.Sprintf("total %.40q is not a decimal uint64", value))
			}
			dst.TotalUs = v
			continue
		}
		v, ok := parsePercent(value)
		if !ok {
			return psiError(fmt.Sprintf("%s %.40q is not a percentage", key, value))
		}
		*avg = v
	}
	if seen != psiAll {
		return psiError("a line lacks avg10, avg60, avg300 or total")
	}
	return nil
}

// parseDecimalUint parses digits only (no sign, no space) into a uint64, refusing overflow.
// Working on the bytes keeps a refresh free of allocations.
func parseDecimalUint(b []byte) (uint64, bool) {
	if len(b) == 0 || len(b) > 20 {
		return 0, false
	}
	var v uint64
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		d := uint64(c - '0')
		if v > (math.MaxUint64-d)/10 {
			return 0, false
		}
		v = v*10 + d
	}
	return v, true
}

// parsePercent parses the kernel's "%lu.%02lu" (any digits, optionally a point and more digits)
// as digits / 10^decimals: one correctly rounded division of two exact integers, so the result
// equals strconv.ParseFloat's. It must lie in 0-100.
func parsePercent(b []byte) (float64, bool) {
	whole, frac, hasPoint := bytes.Cut(b, []byte{'.'})
	if len(whole) == 0 || (hasPoint && len(frac) == 0) || len(whole)+len(frac) > 15 {
		return 0, false
	}
	var digits uint64
	for _, part := range [2][]byte{whole, frac} {
		for _, c := range part {
			if c < '0' || c > '9' {
				return 0, false
			}
			digits = digits*10 + uint64(c-'0')
		}
	}
	v := float64(digits) / math.Pow10(len(frac))
	if v > 100 {
		return 0, false
	}
	return v, true
}

func psiError(what string) error {
	return fmt.Errorf("malformed pressure file: %s: %w", what, ErrUnavailable)
}
