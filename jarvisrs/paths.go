package jarvisrs

import (
	"encoding/hex"
	"strings"
	"unicode/utf8"
)

// hexPathPrefix marks a path that is not valid UTF-8, sent as hex. gopy passes Python str
// arguments as UTF-8, which cannot carry a Linux path's arbitrary bytes; the facade makes every
// path absolute (so a real one starts with "/") and sends the bytes of a non-UTF-8 one as
// "hex:<bytes in hex>". A path never starts with this prefix, so the encoding is unambiguous.
const hexPathPrefix = "hex:"

// decodePath turns the facade's wire form of a path back into the file system's bytes.
func decodePath(wire string) (string, error) {
	if !strings.HasPrefix(wire, hexPathPrefix) {
		return wire, nil
	}
	raw, err := hex.DecodeString(wire[len(hexPathPrefix):])
	if err != nil {
		return "", valueErrorf("malformed path encoding: %v", err)
	}
	return string(raw), nil
}

// encodePath is decodePath's inverse: path in the wire form, for results returned to Python and
// for safetensors metadata values (both must be UTF-8).
func encodePath(path string) string {
	if utf8.ValidString(path) {
		return path
	}
	return hexPathPrefix + hex.EncodeToString([]byte(path))
}
