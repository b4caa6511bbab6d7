package safetensors

import (
	"slices"
	"strconv"
)

// layoutEntry is one tensor of a header being written, with offsets relative to the data section.
type layoutEntry struct {
	name       string
	dtype      DType
	shape      []int64
	begin, end int64
}

// encodeHeader renders a header exactly as the reference writer (serde_json, compact) does, so
// a file made by Writer is byte-identical to one made by safetensors.numpy.save_file: the
// "__metadata__" object first when metadata is non-nil, then the tensors in the given order, then
// spaces up to a multiple of 8 bytes so the data section starts 8-byte aligned. The reference
// emits metadata in hash-map order, which varies from run to run; this emits it sorted by key.
func encodeHeader(entries []layoutEntry, metadata map[string]string) []byte {
	var b []byte
	b = append(b, '{')
	first := true
	if metadata != nil {
		b = appendJSONString(b, metadataKey)
		b = append(b, ':', '{')
		keys := make([]string, 0, len(metadata))
		for k := range metadata {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendJSONString(b, k)
			b = append(b, ':')
			b = appendJSONString(b, metadata[k])
		}
		b = append(b, '}')
		first = false
	}
	for _, e := range entries {
		if !first {
			b = append(b, ',')
		}
		first = false
		b = appendJSONString(b, e.name)
		b = append(b, `:{"dtype":`...)
		b = appendJSONString(b, string(e.dtype))
		b = append(b, `,"shape":[`...)
		for i, d := range e.shape {
			if i > 0 {
				b = append(b, ',')
			}
			b = strconv.AppendInt(b, d, 10)
		}
		b = append(b, `],"data_offsets":[`...)
		b = strconv.AppendInt(b, e.begin, 10)
		b = append(b, ',')
		b = strconv.AppendInt(b, e.end, 10)
		b = append(b, ']', '}')
	}
	b = append(b, '}')
	for len(b)%8 != 0 {
		b = append(b, ' ')
	}
	return b
}

// appendJSONString appends s as a JSON string escaped the way serde_json does: '"' and '\\'
// backslashed, \b \t \n \f \r by name, other control bytes as lowercase \u00xx, everything else
// (DEL, '/', '<', non-ASCII) verbatim. encoding/json differs (it escapes <, >, & and U+2028), which
// would break byte identity. s must be valid UTF-8.
func appendJSONString(b []byte, s string) []byte {
	const hex = "0123456789abcdef"
	b = append(b, '"')
	start := 0 // s[start:i] needs no escaping and is appended in one go
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 0x20 && c != '"' && c != '\\' {
			continue
		}
		b = append(b, s[start:i]...)
		start = i + 1
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
		case '\b':
			b = append(b, '\\', 'b')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\f':
			b = append(b, '\\', 'f')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, '\\', 'u', '0', '0', hex[c>>4], hex[c&0xf])
		}
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}
