package safetensors_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

func TestReadHeaderReferenceFiles(t *testing.T) {
	for name, want := range loadExpected(t) {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", name))
			require.NoError(t, err)
			require.EqualValues(t, want.Size, len(raw))

			h, err := safetensors.ReadHeader(bytes.NewReader(raw), int64(len(raw)))
			require.NoError(t, err)
			assert.Equal(t, want.DataStart, h.DataStart)
			assert.Equal(t, want.Metadata, h.Metadata)
			require.Len(t, h.Tensors, len(want.Tensors))
			for i, w := range want.Tensors {
				got := h.Tensors[i]
				assert.Equal(t, w.Name, got.Name)
				assert.Equal(t, safetensors.DType(w.DType), got.DType)
				assert.Equal(t, w.Shape, nonNilShape(got.Shape), "tensor %q", w.Name)
				assert.Equal(t, w.Offset, got.Offset, "tensor %q", w.Name)
				assert.Equal(t, w.Length, got.Length, "tensor %q", w.Name)
				sum := sha256.Sum256(raw[got.Offset : got.Offset+got.Length])
				assert.Equal(t, w.SHA256, hex.EncodeToString(sum[:]), "tensor %q bytes", w.Name)
			}
		})
	}
}

// nonNilShape makes a scalar's shape compare equal to the empty JSON array.
func nonNilShape(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

func TestReadHeaderReadsOnlyTheHeader(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "ref_mixed.safetensors"))
	require.NoError(t, err)
	r := &boundedReader{head: raw, size: int64(len(raw))}
	h, err := safetensors.ReadHeader(r, r.size)
	require.NoError(t, err)
	assert.Equal(t, h.DataStart, r.maxRead)

	// A claimed 100 MB header in a 16-byte file is refused before anything is allocated or read.
	r = &boundedReader{head: rawPrefix(safetensors.MaxHeaderSize+1, "{}"), size: 10}
	_, err = safetensors.ReadHeader(r, r.size)
	require.ErrorIs(t, err, safetensors.ErrTooLarge)
	assert.EqualValues(t, 8, r.maxRead)
}

type failingReader struct{ err error }

func (r failingReader) ReadAt([]byte, int64) (int, error) { return 0, r.err }

func TestReadHeaderIOErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := safetensors.ReadHeader(failingReader{boom}, 100)
	require.ErrorIs(t, err, boom)
	assert.NotErrorIs(t, err, safetensors.ErrMalformed)

	// fileSize larger than the real file: the header read runs out, which is a malformed file.
	file := withPrefix(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`, 2)
	_, err = safetensors.ReadHeader(bytes.NewReader(file[:20]), int64(len(file)))
	require.ErrorIs(t, err, safetensors.ErrMalformed)
}

func TestReadHeaderRejects(t *testing.T) {
	const (
		u8x2  = `{"dtype":"U8","shape":[2],"data_offsets":[0,2]}`
		u8x2b = `{"dtype":"U8","shape":[2],"data_offsets":[2,4]}`
	)
	many := "[" + strings.Repeat("1,", 64) + "1]"
	cases := []struct {
		name    string
		file    []byte
		want    error
		message string // a fragment the error must contain
	}{
		{"empty file", nil, safetensors.ErrMalformed, "shorter than the 8-byte"},
		{"short prefix", []byte{2, 0, 0}, safetensors.ErrMalformed, "shorter than the 8-byte"},
		{"header length 0", rawPrefix(0, ""), safetensors.ErrMalformed, "too small"},
		{"header length 1", rawPrefix(1, "{"), safetensors.ErrMalformed, "too small"},
		{"header longer than file", rawPrefix(50, "{}"), safetensors.ErrMalformed, "exceeds the 2 bytes"},
		{"header over 100 MB claimed", rawPrefix(100_000_001, "{}"), safetensors.ErrTooLarge, "limit"},
		{"header length 2^64-1", rawPrefix(1<<64-1, "{}"), safetensors.ErrTooLarge, "limit"},
		{"header exactly at limit but file short", rawPrefix(100_000_000, "{}"), safetensors.ErrMalformed, "exceeds"},
		{"invalid UTF-8", withPrefix("{\"\xff\":1}", 0), safetensors.ErrMalformed, "UTF-8"},
		{"truncated JSON", withPrefix(`{"a":`, 0), safetensors.ErrMalformed, "at byte 5: expected a JSON object, found end of header"},
		{"unquoted key", withPrefix(`{a:1}`, 0), safetensors.ErrMalformed, "expected an object key, found 'a'"},
		{"array", withPrefix(`[]`, 0), safetensors.ErrMalformed, "expected a JSON object"},
		{"string", withPrefix(`"ab"`, 0), safetensors.ErrMalformed, "expected a JSON object"},
		{"null", withPrefix(`null`, 0), safetensors.ErrMalformed, "expected a JSON object"},
		{"number", withPrefix(`12`, 0), safetensors.ErrMalformed, "expected a JSON object"},
		{"trailing text", withPrefix(`{} x`, 0), safetensors.ErrMalformed, "trailing data after the header object: 'x'"},
		{"second object", withPrefix(`{}{}`, 0), safetensors.ErrMalformed, "trailing data"},
		{"NUL padding", withPrefix("{}\x00\x00", 0), safetensors.ErrMalformed, "trailing data"},
		{"BOM", withPrefix("\ufeff{}", 0), safetensors.ErrMalformed, "expected a JSON object"},
		{"tensor not an object", withPrefix(`{"a":[1]}`, 0), safetensors.ErrMalformed, `tensor "a": at byte 5: expected a JSON object, found '['`},
		{"missing dtype", withPrefix(`{"a":{"shape":[2],"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, `missing "dtype"`},
		{"missing shape", withPrefix(`{"a":{"dtype":"U8","data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, `missing "shape"`},
		{"missing data_offsets", withPrefix(`{"a":{"dtype":"U8","shape":[2]}}`, 2), safetensors.ErrMalformed, `missing "data_offsets"`},
		{"keys are case-sensitive", withPrefix(`{"a":{"DTYPE":"U8","shape":[2],"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, `missing "dtype"`},
		{"unknown dtype", withPrefix(`{"a":{"dtype":"F33","shape":[2],"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, `unknown dtype "F33"`},
		{"lowercase dtype", withPrefix(`{"a":{"dtype":"f32","shape":[],"data_offsets":[0,4]}}`, 4), safetensors.ErrMalformed, "unknown dtype"},
		{"dtype not a string", withPrefix(`{"a":{"dtype":5,"shape":[2],"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, "expected a string"},
		{"fp8 unsupported", withPrefix(`{"a":{"dtype":"F8_E4M3","shape":[2],"data_offsets":[0,2]}}`, 2), safetensors.ErrUnsupported, "F8_E4M3"},
		{"complex unsupported", withPrefix(`{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}`, 8), safetensors.ErrUnsupported, "C64"},
		{"negative dim", withPrefix(`{"a":{"dtype":"U8","shape":[-1],"data_offsets":[0,0]}}`, 0), safetensors.ErrMalformed, "negative"},
		{"float dim", withPrefix(`{"a":{"dtype":"U8","shape":[2.0],"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, "not an integer"},
		{"exponent dim", withPrefix(`{"a":{"dtype":"U8","shape":[2e0],"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, "not an integer"},
		{"string dim", withPrefix(`{"a":{"dtype":"U8","shape":["2"],"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, "expected a non-negative integer"},
		{"null shape", withPrefix(`{"a":{"dtype":"U8","shape":null,"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, "expected an array"},
		{"nested shape", withPrefix(`{"a":{"dtype":"U8","shape":[[2]],"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, "expected a non-negative integer"},
		{"trailing comma in shape", withPrefix(`{"a":{"dtype":"U8","shape":[2,],"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, "expected a non-negative integer, found ']'"},
		{"trailing comma in object", withPrefix(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]},}`, 2), safetensors.ErrMalformed, "expected an object key"},
		{"missing comma", withPrefix(`{"a":{"dtype":"U8" "shape":[2],"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, "expected ',' or '}'"},
		{"leading zero", withPrefix(`{"a":{"dtype":"U8","shape":[02],"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, "leading zero"},
		{"control character in name", withPrefix("{\"a\tb\":{}}", 0), safetensors.ErrMalformed, "control character"},
		{"invalid escape", withPrefix(`{"a\qb":{}}`, 0), safetensors.ErrMalformed, `invalid escape \q`},
		{"lone surrogate", withPrefix(`{"a\ud800":{}}`, 0), safetensors.ErrMalformed, "lone surrogate"},
		{"reversed surrogates", withPrefix(`{"a\udc00\ud800":{}}`, 0), safetensors.ErrMalformed, "lone surrogate"},
		{"unterminated string", withPrefix(`{"abc`, 0), safetensors.ErrMalformed, "unterminated string"},
		{"bad unknown field", withPrefix(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2],"x":tru}}`, 2), safetensors.ErrMalformed, "expected a JSON value"},
		{"duplicate unknown field", withPrefix(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2],"x":1,"x":2}}`, 2), safetensors.ErrMalformed, `duplicate key "x"`},
		{"duplicate key nested in unknown field", withPrefix(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2],"x":[{"k":1,"k":1}]}}`, 2), safetensors.ErrMalformed, `duplicate key "k"`},
		{"unknown field nested too deep", withPrefix(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2],"x":`+strings.Repeat("[", 126)+strings.Repeat("]", 126)+`}}`, 2), safetensors.ErrMalformed, "nested more than 127"},
		{"dim beyond int64", withPrefix(`{"a":{"dtype":"U8","shape":[18446744073709551615],"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, "too large"},
		{"65 dims", withPrefix(`{"a":{"dtype":"U8","shape":`+many+`,"data_offsets":[0,1]}}`, 1), safetensors.ErrUnsupported, "65 dimensions"},
		{"one offset", withPrefix(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[2]}}`, 2), safetensors.ErrMalformed, "want 2"},
		{"three offsets", withPrefix(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2,2]}}`, 2), safetensors.ErrMalformed, "want 2"},
		{"negative offset", withPrefix(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[-2,0]}}`, 2), safetensors.ErrMalformed, "negative"},
		{"begin after end", withPrefix(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[2,0]}}`, 2), safetensors.ErrMalformed, "begin after end"},
		{"end past data", withPrefix(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`, 1), safetensors.ErrMalformed, "past the 1-byte data section"},
		{"offset beyond int64", withPrefix(`{"a":{"dtype":"U8","shape":[2],"data_offsets":[0,99999999999999999999]}}`, 2), safetensors.ErrMalformed, "too large"},
		{"size mismatch", withPrefix(`{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,4]}}`, 4), safetensors.ErrMalformed, "needs 8 bytes"},
		{"shape product overflows", withPrefix(`{"a":{"dtype":"U8","shape":[4294967296,4294967296],"data_offsets":[0,0]}}`, 0), safetensors.ErrMalformed, "overflows"},
		{"byte count overflows", withPrefix(`{"a":{"dtype":"F64","shape":[4611686018427387904],"data_offsets":[0,0]}}`, 0), safetensors.ErrMalformed, "overflows"},
		{"huge shape with a zero", withPrefix(`{"a":{"dtype":"F32","shape":[0,4611686018427387904,4],"data_offsets":[0,0]}}`, 0), safetensors.ErrMalformed, "overflows"},
		{"gap at start", withPrefix(`{"a":`+u8x2b+`}`, 4), safetensors.ErrMalformed, "gap"},
		{"gap between", withPrefix(`{"a":`+u8x2+`,"b":{"dtype":"U8","shape":[2],"data_offsets":[3,5]}}`, 5), safetensors.ErrMalformed, "gap after byte 2"},
		{"overlap", withPrefix(`{"a":`+u8x2+`,"b":{"dtype":"U8","shape":[2],"data_offsets":[1,3]}}`, 3), safetensors.ErrMalformed, "overlap"},
		{"same range twice", withPrefix(`{"a":`+u8x2+`,"b":`+u8x2+`}`, 2), safetensors.ErrMalformed, "overlap"},
		{"uncovered tail", withPrefix(`{"a":`+u8x2+`}`, 3), safetensors.ErrMalformed, "cover 2 bytes of a 3-byte"},
		{"data without tensors", withPrefix(`{}`, 1), safetensors.ErrMalformed, "cover 0 bytes"},
		{"duplicate tensor", withPrefix(`{"a":`+u8x2+`,"a":`+u8x2b+`}`, 4), safetensors.ErrMalformed, `duplicate key "a"`},
		{"duplicate identical tensor", withPrefix(`{"a":`+u8x2+`,"a":`+u8x2+`}`, 2), safetensors.ErrMalformed, `duplicate key "a"`},
		{"duplicate field", withPrefix(`{"a":{"dtype":"U8","dtype":"I8","shape":[2],"data_offsets":[0,2]}}`, 2), safetensors.ErrMalformed, `duplicate key "dtype"`},
		{"duplicate metadata", withPrefix(`{"__metadata__":{},"__metadata__":{}}`, 0), safetensors.ErrMalformed, "duplicate key"},
		{"duplicate metadata key", withPrefix(`{"__metadata__":{"k":"1","k":"2"}}`, 0), safetensors.ErrMalformed, `duplicate key "k"`},
		{"metadata value not string", withPrefix(`{"__metadata__":{"k":1}}`, 0), safetensors.ErrMalformed, "expected a string"},
		{"metadata not object", withPrefix(`{"__metadata__":["k"]}`, 0), safetensors.ErrMalformed, "__metadata__"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := safetensors.ReadHeader(bytes.NewReader(tc.file), int64(len(tc.file)))
			require.Error(t, err)
			assert.Nil(t, h)
			assert.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.message)
		})
	}
}

func TestParseAccepts(t *testing.T) {
	cases := []struct {
		name     string
		header   string
		dataSize int64
		want     []safetensors.Tensor // Offsets relative to the data section; DataStart is added
		metadata map[string]string
	}{
		{"empty object", `{}`, 0, []safetensors.Tensor{}, nil},
		{"space padded", `{}      `, 0, []safetensors.Tensor{}, nil},
		{"leading whitespace", " \n{}", 0, []safetensors.Tensor{}, nil},
		{"null metadata", `{"__metadata__":null}`, 0, []safetensors.Tensor{}, nil},
		{"empty metadata", `{"__metadata__":{}}`, 0, []safetensors.Tensor{}, map[string]string{}},
		{"metadata after tensors", `{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"__metadata__":{"k":"v"}}`, 1,
			[]safetensors.Tensor{{Name: "a", DType: safetensors.U8, Shape: []int64{1}, Length: 1}}, map[string]string{"k": "v"}},
		{"unknown tensor fields ignored", `{"a":{"dtype":"U8","extra":{"x":[1,-2.5e+3,true,false,null,"s\u00e9",{}]},"shape":[1],"data_offsets":[0,1],"deep":` + strings.Repeat("[", 125) + strings.Repeat("]", 125) + `}}`, 1,
			[]safetensors.Tensor{{Name: "a", DType: safetensors.U8, Shape: []int64{1}, Length: 1}}, nil},
		{"scalar", `{"s":{"dtype":"F64","shape":[],"data_offsets":[0,8]}}`, 8,
			[]safetensors.Tensor{{Name: "s", DType: safetensors.F64, Shape: []int64{}, Length: 8}}, nil},
		{"sorted by offset, not by key order", `{"b":{"dtype":"I16","shape":[1],"data_offsets":[4,6]},"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}`, 6,
			[]safetensors.Tensor{
				{Name: "a", DType: safetensors.F32, Shape: []int64{1}, Offset: 0, Length: 4},
				{Name: "b", DType: safetensors.I16, Shape: []int64{1}, Offset: 4, Length: 2},
			}, nil},
		{"zero-length tensors share an offset", `{"z":{"dtype":"F32","shape":[0],"data_offsets":[2,2]},"y":{"dtype":"U8","shape":[3,0],"data_offsets":[2,2]},"a":{"dtype":"U8","shape":[2],"data_offsets":[0,2]}}`, 2,
			[]safetensors.Tensor{
				{Name: "a", DType: safetensors.U8, Shape: []int64{2}, Offset: 0, Length: 2},
				{Name: "y", DType: safetensors.U8, Shape: []int64{3, 0}, Offset: 2, Length: 0},
				{Name: "z", DType: safetensors.F32, Shape: []int64{0}, Offset: 2, Length: 0},
			}, nil},
		{"unaligned offsets are allowed", `{"a":{"dtype":"U8","shape":[1],"data_offsets":[0,1]},"b":{"dtype":"F32","shape":[],"data_offsets":[1,5]}}`, 5,
			[]safetensors.Tensor{
				{Name: "a", DType: safetensors.U8, Shape: []int64{1}, Offset: 0, Length: 1},
				{Name: "b", DType: safetensors.F32, Shape: []int64{}, Offset: 1, Length: 4},
			}, nil},
		{"escaped names", `{"a\"\\\n\u00e9\ud83d\ude00":{"dtype":"BOOL","shape":[1],"data_offsets":[0,1]}}`, 1,
			[]safetensors.Tensor{{Name: "a\"\\\né😀", DType: safetensors.BOOL, Shape: []int64{1}, Length: 1}}, nil},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := safetensors.Parse([]byte(tc.header), tc.dataSize)
			require.NoError(t, err)
			dataStart := 8 + int64(len(tc.header))
			assert.Equal(t, dataStart, h.DataStart)
			for i := range tc.want {
				tc.want[i].Offset += dataStart
			}
			assert.Equal(t, tc.want, h.Tensors)
			assert.Equal(t, tc.metadata, h.Metadata)

			// The same bytes framed as a file give the same answer.
			file := withPrefix(tc.header, int(tc.dataSize))
			h2, err := safetensors.ReadHeader(bytes.NewReader(file), int64(len(file)))
			require.NoError(t, err)
			assert.Equal(t, h, h2)
		})
	}
}

func TestParseLimits(t *testing.T) {
	_, err := safetensors.Parse([]byte(`{}`), -1)
	require.ErrorIs(t, err, safetensors.ErrMalformed)

	// A name far longer than an error message should be is cut short in the message.
	long := strings.Repeat("n", 1<<20)
	_, err = safetensors.Parse([]byte(fmt.Sprintf(`{%q:{"dtype":"X","shape":[],"data_offsets":[0,0]}}`, long)), 0)
	require.ErrorIs(t, err, safetensors.ErrMalformed)
	assert.Less(t, len(err.Error()), 300)
}

func TestDTypeSize(t *testing.T) {
	for dt, size := range map[safetensors.DType]int{
		safetensors.F64: 8, safetensors.F32: 4, safetensors.F16: 2, safetensors.BF16: 2,
		safetensors.I64: 8, safetensors.I32: 4, safetensors.I16: 2, safetensors.I8: 1,
		safetensors.U64: 8, safetensors.U32: 4, safetensors.U16: 2, safetensors.U8: 1,
		safetensors.BOOL: 1, "F8_E4M3": 0, "C64": 0, "": 0, "f32": 0,
	} {
		assert.Equal(t, size, dt.Size(), string(dt))
		assert.Equal(t, size > 0, dt.Valid(), string(dt))
	}
}
