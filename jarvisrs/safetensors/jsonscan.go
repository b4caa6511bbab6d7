package safetensors

import (
	"fmt"
	"math"
	"strconv"
	"unicode/utf16"
	"unicode/utf8"
)

// maxNesting bounds how deeply objects and arrays may nest, counting the header object as level 1,
// so values the reader skips (unknown tensor fields) cannot recurse without limit. 127 accepts
// exactly what the reference's serde_json accepts.
const maxNesting = 127

// scanner is a strict, allocation-light JSON reader for safetensors headers. It exists because
// encoding/json cannot report duplicate keys, matches keys without regard to case, quietly
// replaces invalid UTF-8 and lone surrogates, and its token API is an order of magnitude slower
// than the reference parser on headers with thousands of tensors. The grammar is RFC 8259; data
// must already be known to be valid UTF-8. Errors are plain and carry the byte offset; callers
// wrap them in ErrMalformed.
type scanner struct {
	data []byte
	pos  int
}

func (s *scanner) errorf(format string, args ...any) error {
	return fmt.Errorf("at byte %d: %s", s.pos, fmt.Sprintf(format, args...))
}

// describe names what sits at the current position, for error messages.
func (s *scanner) describe() string {
	if s.pos >= len(s.data) {
		return "end of header"
	}
	r, _ := utf8.DecodeRune(s.data[s.pos:])
	return strconv.QuoteRune(r)
}

func (s *scanner) skipSpace() {
	for s.pos < len(s.data) {
		switch s.data[s.pos] {
		case ' ', '\t', '\n', '\r':
			s.pos++
		default:
			return
		}
	}
}

// peek returns the next non-space byte without consuming it, or 0 at the end.
func (s *scanner) peek() byte {
	s.skipSpace()
	if s.pos >= len(s.data) {
		return 0
	}
	return s.data[s.pos]
}

// consume skips space and then c, or fails naming what was found instead.
func (s *scanner) consume(c byte, what string) error {
	if s.peek() != c {
		return s.errorf("expected %s, found %s", what, s.describe())
	}
	s.pos++
	return nil
}

// atEnd reports whether only whitespace remains.
func (s *scanner) atEnd() bool {
	s.skipSpace()
	return s.pos == len(s.data)
}

// beginObject consumes the '{' that opens an object; nextMember then walks its members.
func (s *scanner) beginObject() error {
	return s.consume('{', "a JSON object")
}

// nextMember reads the next key of an object opened by beginObject and the ':' after it, leaving
// the scanner at the value, which the caller must consume before calling again. first is true
// for the first call on an object. It returns ok == false after the closing '}'. The key may
// alias the scanner's input and is valid until the input changes.
func (s *scanner) nextMember(first bool) (key []byte, ok bool, err error) {
	switch c := s.peek(); {
	case c == '}':
		s.pos++
		return nil, false, nil
	case !first && c == ',':
		s.pos++
	case !first:
		return nil, false, s.errorf("expected ',' or '}' in object, found %s", s.describe())
	}
	if s.peek() != '"' {
		return nil, false, s.errorf("expected an object key, found %s", s.describe())
	}
	if key, err = s.readStringBytes(); err != nil {
		return nil, false, err
	}
	if err := s.consume(':', "':'"); err != nil {
		return nil, false, err
	}
	return key, true, nil
}

// readString reads a JSON string, which must be next (after optional space).
func (s *scanner) readString() (string, error) {
	b, err := s.readStringBytes()
	return string(b), err
}

// readStringBytes reads a JSON string, which must be next (after optional space). Without escapes
// the result aliases the input; otherwise it is a new buffer.
func (s *scanner) readStringBytes() ([]byte, error) {
	if err := s.consume('"', "a string"); err != nil {
		return nil, err
	}
	start := s.pos
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		if c == '"' {
			s.pos++
			return s.data[start : s.pos-1], nil
		}
		if c == '\\' {
			break
		}
		if c < 0x20 {
			return nil, s.errorf("control character %#02x in string", c)
		}
		s.pos++
	}
	buf := append([]byte(nil), s.data[start:s.pos]...)
	for s.pos < len(s.data) {
		c := s.data[s.pos]
		switch {
		case c == '"':
			s.pos++
			return buf, nil
		case c < 0x20:
			return nil, s.errorf("control character %#02x in string", c)
		case c != '\\':
			buf = append(buf, c)
			s.pos++
			continue
		}
		if s.pos+1 >= len(s.data) {
			break
		}
		esc := s.data[s.pos+1]
		s.pos += 2
		switch esc {
		case '"', '\\', '/':
			buf = append(buf, esc)
		case 'b':
			buf = append(buf, '\b')
		case 'f':
			buf = append(buf, '\f')
		case 'n':
			buf = append(buf, '\n')
		case 'r':
			buf = append(buf, '\r')
		case 't':
			buf = append(buf, '\t')
		case 'u':
			r, err := s.readUnicodeEscape()
			if err != nil {
				return nil, err
			}
			buf = utf8.AppendRune(buf, r)
		default:
			s.pos--
			return nil, s.errorf("invalid escape \\%c", esc)
		}
	}
	return nil, s.errorf("unterminated string")
}

// readUnicodeEscape reads the hex digits after "\u" (and, for a surrogate pair, the following
// "\uXXXX"). Lone surrogates are rejected, as serde_json does, rather than replaced.
func (s *scanner) readUnicodeEscape() (rune, error) {
	r1, err := s.readHex4()
	if err != nil {
		return 0, err
	}
	if !utf16.IsSurrogate(r1) {
		return r1, nil
	}
	if r1 < 0xdc00 && s.pos+1 < len(s.data) && s.data[s.pos] == '\\' && s.data[s.pos+1] == 'u' {
		s.pos += 2
		r2, err := s.readHex4()
		if err != nil {
			return 0, err
		}
		if r := utf16.DecodeRune(r1, r2); r != utf8.RuneError {
			return r, nil
		}
	}
	return 0, s.errorf("lone surrogate \\u%04x in string", r1)
}

func (s *scanner) readHex4() (rune, error) {
	if s.pos+4 > len(s.data) {
		return 0, s.errorf("truncated \\u escape")
	}
	var r rune
	for _, c := range s.data[s.pos : s.pos+4] {
		r <<= 4
		switch {
		case c >= '0' && c <= '9':
			r |= rune(c - '0')
		case c >= 'a' && c <= 'f':
			r |= rune(c - 'a' + 10)
		case c >= 'A' && c <= 'F':
			r |= rune(c - 'A' + 10)
		default:
			return 0, s.errorf("invalid \\u escape")
		}
	}
	s.pos += 4
	return r, nil
}

// readNumber scans a JSON number and reports its span and whether it is negative or has a
// fraction or exponent.
func (s *scanner) readNumber() (start, end int, negative, integer bool, err error) {
	start = s.pos
	if s.pos < len(s.data) && s.data[s.pos] == '-' {
		negative = true
		s.pos++
	}
	digits := func() int {
		n := 0
		for s.pos < len(s.data) && s.data[s.pos] >= '0' && s.data[s.pos] <= '9' {
			s.pos++
			n++
		}
		return n
	}
	intStart := s.pos
	switch n := digits(); {
	case n == 0:
		return 0, 0, false, false, s.errorf("invalid number")
	case n > 1 && s.data[intStart] == '0':
		s.pos = intStart
		return 0, 0, false, false, s.errorf("number with a leading zero")
	}
	integer = true
	if s.pos < len(s.data) && s.data[s.pos] == '.' {
		integer = false
		s.pos++
		if digits() == 0 {
			return 0, 0, false, false, s.errorf("invalid number")
		}
	}
	if s.pos < len(s.data) && (s.data[s.pos] == 'e' || s.data[s.pos] == 'E') {
		integer = false
		s.pos++
		if s.pos < len(s.data) && (s.data[s.pos] == '+' || s.data[s.pos] == '-') {
			s.pos++
		}
		if digits() == 0 {
			return 0, 0, false, false, s.errorf("invalid number")
		}
	}
	return start, s.pos, negative, integer, nil
}

// readUint reads a JSON number that must be a non-negative integer fitting in an int64, the
// reference's usize fields being stricter than JSON numbers in the same way (no "2.0", "1e3",
// "-1").
func (s *scanner) readUint() (int64, error) {
	c := s.peek()
	if c != '-' && (c < '0' || c > '9') {
		return 0, s.errorf("expected a non-negative integer, found %s", s.describe())
	}
	at := s.pos
	start, end, negative, integer, err := s.readNumber()
	if err != nil {
		return 0, err
	}
	text := func() string { return abbreviate(string(s.data[start:end])) }
	switch {
	case negative:
		s.pos = at
		return 0, s.errorf("negative integer %s", text())
	case !integer:
		s.pos = at
		return 0, s.errorf("%s is not an integer", text())
	}
	var v int64
	for _, d := range s.data[start:end] {
		if v > (math.MaxInt64-int64(d-'0'))/10 {
			s.pos = at
			return 0, s.errorf("integer %s is too large", text())
		}
		v = v*10 + int64(d-'0')
	}
	return v, nil
}

// readUintArray reads a JSON array of readUint values, appending them to dst.
func (s *scanner) readUintArray(dst []int64) ([]int64, error) {
	if err := s.consume('[', "an array of integers"); err != nil {
		return nil, err
	}
	if s.peek() == ']' {
		s.pos++
		return dst, nil
	}
	for {
		v, err := s.readUint()
		if err != nil {
			return nil, err
		}
		dst = append(dst, v)
		switch s.peek() {
		case ',':
			s.pos++
		case ']':
			s.pos++
			return dst, nil
		default:
			return nil, s.errorf("expected ',' or ']' in array, found %s", s.describe())
		}
	}
}

// skipValue checks and discards one JSON value of any type, which sits at nesting level depth.
func (s *scanner) skipValue(depth int) error {
	if depth > maxNesting {
		return s.errorf("values nested more than %d deep", maxNesting)
	}
	switch c := s.peek(); {
	case c == '"':
		_, err := s.readString()
		return err
	case c == '{':
		s.pos++
		var seen map[string]struct{}
		for first := true; ; first = false {
			key, ok, err := s.nextMember(first)
			if err != nil || !ok {
				return err
			}
			if _, dup := seen[string(key)]; dup {
				return s.errorf("duplicate key %s", quoteShort(string(key)))
			}
			if seen == nil {
				seen = make(map[string]struct{})
			}
			seen[string(key)] = struct{}{}
			if err := s.skipValue(depth + 1); err != nil {
				return err
			}
		}
	case c == '[':
		s.pos++
		if s.peek() == ']' {
			s.pos++
			return nil
		}
		for {
			if err := s.skipValue(depth + 1); err != nil {
				return err
			}
			switch s.peek() {
			case ',':
				s.pos++
			case ']':
				s.pos++
				return nil
			default:
				return s.errorf("expected ',' or ']' in array, found %s", s.describe())
			}
		}
	case c == '-' || c >= '0' && c <= '9':
		_, _, _, _, err := s.readNumber()
		return err
	default:
		for _, lit := range []string{"true", "false", "null"} {
			if s.literal(lit) {
				return nil
			}
		}
		return s.errorf("expected a JSON value, found %s", s.describe())
	}
}

// literal consumes lit if it is next.
func (s *scanner) literal(lit string) bool {
	if len(s.data)-s.pos >= len(lit) && string(s.data[s.pos:s.pos+len(lit)]) == lit {
		s.pos += len(lit)
		return true
	}
	return false
}

// quoteShort quotes at most 40 bytes of s for an error message, so a hostile header cannot make
// error strings huge.
func quoteShort(s string) string {
	const limit = 40
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "..."
	}
	return strconv.Quote(s)
}

// abbreviate is quoteShort without the quotes, for numbers.
func abbreviate(s string) string {
	const limit = 40
	if len(s) > limit {
		return s[:limit] + "..."
	}
	return s
}
