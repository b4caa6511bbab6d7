package npy

import (
	"fmt"
	"math"
	"strconv"
)

// maxNesting bounds how deeply tuples, lists and dicts may nest in a header, so a hostile one
// cannot recurse without limit; real headers nest at most a few levels (structured dtypes).
const maxNesting = 64

// pyKind is the type of a parsed Python literal.
type pyKind uint8

const (
	pyStr pyKind = iota
	pyInt
	pyBool
	pyNone
	pyTuple
	pyList
	pyDict
)

func (k pyKind) String() string {
	return [...]string{"a string", "an int", "a bool", "None", "a tuple", "a list", "a dict"}[k]
}

// pyValue is a parsed Python literal. Only the fields of its kind are set: str for strings; num
// (with tooBig when it does not fit in an int64) for ints; flag for bools; items for tuples and
// lists; items as alternating keys and values for dicts.
type pyValue struct {
	kind   pyKind
	str    string
	num    int64
	tooBig bool
	flag   bool
	items  []pyValue
}

// literalParser reads the subset of Python literal syntax that ast.literal_eval accepts and .npy
// headers use: single- or double-quoted strings without escapes (optionally u-prefixed), decimal
// ints with optional sign (and, for Python 2 era files, an 'L' suffix), True, False, None, tuples,
// lists and dicts. Floats, escapes, comments and everything else are refused. Errors are plain
// and carry the byte offset; ParseHeader wraps them.
type literalParser struct {
	data        []byte
	pos         int
	allowLong   bool // accept the 'L' suffix of Python 2 ints (versions 1.0 and 2.0, like numpy)
	unsupported bool // the last error is ErrUnsupported (valid Python, not handled), not malformed
}

func (p *literalParser) errorf(format string, args ...any) error {
	return fmt.Errorf("at header byte %d: %s", p.pos, fmt.Sprintf(format, args...))
}

func (p *literalParser) describe() string {
	if p.pos >= len(p.data) {
		return "end of header"
	}
	return strconv.QuoteRuneToASCII(rune(p.data[p.pos]))
}

func (p *literalParser) skipSpace() {
	for p.pos < len(p.data) {
		switch p.data[p.pos] {
		case ' ', '\t', '\n', '\r', '\f':
			p.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it, or 0 at the end (a NUL in the
// header also reads as 0, which no caller accepts either).
func (p *literalParser) peek() byte {
	p.skipSpace()
	if p.pos >= len(p.data) {
		return 0
	}
	return p.data[p.pos]
}

// value parses one literal at nesting level depth.
func (p *literalParser) value(depth int) (pyValue, error) {
	if depth > maxNesting {
		return pyValue{}, p.errorf("literals nested more than %d deep", maxNesting)
	}
	switch c := p.peek(); {
	case c == '\'' || c == '"' || (c == 'u' || c == 'U') && p.pos+1 < len(p.data) && (p.data[p.pos+1] == '\'' || p.data[p.pos+1] == '"'):
		s, err := p.str()
		return pyValue{kind: pyStr, str: s}, err
	case c == '-' || c == '+' || c >= '0' && c <= '9':
		return p.integer()
	case c == '(':
		return p.sequence(depth, ')')
	case c == '[':
		return p.sequence(depth, ']')
	case c == '{':
		return p.dict(depth)
	default:
		for _, w := range []struct {
			word string
			v    pyValue
		}{{"True", pyValue{kind: pyBool, flag: true}}, {"False", pyValue{kind: pyBool}}, {"None", pyValue{kind: pyNone}}} {
			if p.word(w.word) {
				return w.v, nil
			}
		}
		return pyValue{}, p.errorf("expected a Python literal, found %s", p.describe())
	}
}

// word consumes the identifier w if it is next and not the prefix of a longer identifier.
func (p *literalParser) word(w string) bool {
	end := p.pos + len(w)
	if end > len(p.data) || string(p.data[p.pos:end]) != w {
		return false
	}
	if end < len(p.data) && isIdentByte(p.data[end]) {
		return false
	}
	p.pos = end
	return true
}

func isIdentByte(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c >= 0x80
}

func (p *literalParser) str() (string, error) {
	if c := p.data[p.pos]; c == 'u' || c == 'U' {
		p.pos++
	}
	quote := p.data[p.pos]
	p.pos++
	start := p.pos
	for p.pos < len(p.data) {
		switch c := p.data[p.pos]; c {
		case quote:
			if p.pos == start && p.pos+1 < len(p.data) && p.data[p.pos+1] == quote {
				p.pos--
				p.unsupported = true
				return "", p.errorf("triple-quoted strings are not supported")
			}
			p.pos++
			return string(p.data[start : p.pos-1]), nil
		case '\\':
			p.unsupported = true
			return "", p.errorf("escape sequences in strings are not supported")
		case '\n', '\r':
			return "", p.errorf("newline inside a string")
		}
		p.pos++
	}
	return "", p.errorf("unterminated string")
}

// integer parses a decimal int with an optional unary sign. Python 3 forbids leading zeros on
// non-zero ints, and so does this.
func (p *literalParser) integer() (pyValue, error) {
	negative := false
	for p.data[p.pos] == '-' || p.data[p.pos] == '+' {
		if p.data[p.pos] == '-' {
			negative = !negative
		}
		p.pos++
		if c := p.peek(); c != '-' && c != '+' && (c < '0' || c > '9') {
			return pyValue{}, p.errorf("expected a number after the sign, found %s", p.describe())
		}
	}
	start := p.pos
	for p.pos < len(p.data) && p.data[p.pos] >= '0' && p.data[p.pos] <= '9' {
		p.pos++
	}
	digits := p.data[start:p.pos]
	if p.allowLong && p.pos < len(p.data) && (p.data[p.pos] == 'L' || p.data[p.pos] == 'l') {
		p.pos++
	}
	if p.pos < len(p.data) && (isIdentByte(p.data[p.pos]) || p.data[p.pos] == '.') {
		return pyValue{}, p.errorf("not a decimal integer: unexpected %s", p.describe())
	}
	allZero := true
	for _, d := range digits {
		allZero = allZero && d == '0'
	}
	if len(digits) > 1 && digits[0] == '0' && !allZero {
		return pyValue{}, p.errorf("integer with a leading zero")
	}
	v := pyValue{kind: pyInt}
	for _, d := range digits {
		if v.num > (math.MaxInt64-int64(d-'0'))/10 {
			v.tooBig = true
			break
		}
		v.num = v.num*10 + int64(d-'0')
	}
	if negative {
		v.num = -v.num
	}
	return v, nil
}

// sequence parses a tuple or list. A parenthesised single value without a comma is that value,
// not a tuple, exactly as in Python: "(3)" is 3, "(3,)" is a tuple.
func (p *literalParser) sequence(depth int, closer byte) (pyValue, error) {
	kind := pyList
	if closer == ')' {
		kind = pyTuple
	}
	p.pos++
	v := pyValue{kind: kind, items: []pyValue{}}
	if p.peek() == closer {
		p.pos++
		return v, nil
	}
	for {
		item, err := p.value(depth + 1)
		if err != nil {
			return pyValue{}, err
		}
		switch p.peek() {
		case ',':
			p.pos++
			v.items = append(v.items, item)
			if p.peek() == closer {
				p.pos++
				return v, nil
			}
		case closer:
			p.pos++
			if kind == pyTuple && len(v.items) == 0 {
				return item, nil
			}
			v.items = append(v.items, item)
			return v, nil
		default:
			return pyValue{}, p.errorf("expected ',' or %q, found %s", closer, p.describe())
		}
	}
}

// dict parses a dict, keys and values alternating in items. Keys must be strings here (numpy's
// header keys are) and unique: literal_eval would silently keep the last of duplicates.
func (p *literalParser) dict(depth int) (pyValue, error) {
	p.pos++
	v := pyValue{kind: pyDict, items: []pyValue{}}
	for {
		if p.peek() == '}' {
			p.pos++
			return v, nil
		}
		keyAt := p.pos
		key, err := p.value(depth + 1)
		if err != nil {
			return pyValue{}, err
		}
		if key.kind != pyStr {
			p.pos = keyAt
			return pyValue{}, p.errorf("dict key is %s, not a string", key.kind)
		}
		for i := 0; i < len(v.items); i += 2 {
			if v.items[i].str == key.str {
				p.pos = keyAt
				return pyValue{}, p.errorf("duplicate key %s", quoteShort(key.str))
			}
		}
		if p.peek() != ':' {
			return pyValue{}, p.errorf("expected ':', found %s", p.describe())
		}
		p.pos++
		val, err := p.value(depth + 1)
		if err != nil {
			return pyValue{}, err
		}
		v.items = append(v.items, key, val)
		switch p.peek() {
		case ',':
			p.pos++
		case '}':
		default:
			return pyValue{}, p.errorf("expected ',' or '}', found %s", p.describe())
		}
	}
}

// quoteShort quotes at most 40 bytes of s for an error message.
func quoteShort(s string) string {
	const limit = 40
	if len(s) > limit {
		return strconv.QuoteToASCII(s[:limit]) + "..."
	}
	return strconv.QuoteToASCII(s)
}
