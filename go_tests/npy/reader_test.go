package npy_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/npy"
)

func TestReadHeaderNumpyFiles(t *testing.T) {
	for name, want := range loadExpected(t) {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", name))
			require.NoError(t, err)
			h, err := npy.ReadHeader(bytes.NewReader(raw), int64(len(raw)))
			if want.Error != "" {
				require.ErrorIs(t, err, npy.ErrUnsupported)
				assert.Nil(t, h)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, want.Descr, h.Descr)
			assert.Equal(t, want.FortranOrder, h.FortranOrder)
			assert.Equal(t, want.Shape, h.Shape)
			assert.Equal(t, want.DataOffset, h.DataOffset)
			assert.Equal(t, want.ItemSize, h.ItemSize)
			require.EqualValues(t, want.Size, len(raw))
			require.LessOrEqual(t, h.DataOffset+h.DataLen(), int64(len(raw)))
			sum := sha256.Sum256(raw[h.DataOffset : h.DataOffset+h.DataLen()])
			assert.Equal(t, want.SHA256, hex.EncodeToString(sum[:]))

			// ParseHeader on just the header bytes agrees.
			h2, err := npy.ParseHeader(raw[:h.DataOffset])
			require.NoError(t, err)
			assert.Equal(t, h, h2)
		})
	}
}

// recordingReader is an io.ReaderAt that records the furthest byte read.
type recordingReader struct {
	r       *bytes.Reader
	maxRead int64
}

func (r *recordingReader) ReadAt(p []byte, off int64) (int, error) {
	r.maxRead = max(r.maxRead, off+int64(len(p)))
	return r.r.ReadAt(p, off)
}

func TestReadHeaderReadsOnlyTheHeader(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "f4_2d.npy"))
	require.NoError(t, err)
	r := &recordingReader{r: bytes.NewReader(raw)}
	h, err := npy.ReadHeader(r, int64(len(raw)))
	require.NoError(t, err)
	assert.Equal(t, h.DataOffset, r.maxRead)
}

type failingReader struct{ err error }

func (r failingReader) ReadAt([]byte, int64) (int, error) { return 0, r.err }

func TestReadHeaderIOErrors(t *testing.T) {
	boom := errors.New("disk on fire")
	_, err := npy.ReadHeader(failingReader{boom}, 100)
	require.ErrorIs(t, err, boom)
	assert.NotErrorIs(t, err, npy.ErrMalformed)

	file := npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 8)
	_, err = npy.ReadHeader(bytes.NewReader(file[:30]), int64(len(file)))
	require.ErrorIs(t, err, npy.ErrMalformed)
}

const okDict = "{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }"

func TestReadHeaderRejects(t *testing.T) {
	dict := func(descr, fortran, shape string) string {
		return "{'descr': " + descr + ", 'fortran_order': " + fortran + ", 'shape': " + shape + ", }"
	}
	many := "(" + strings.Repeat("1, ", 65) + ")"
	cases := []struct {
		name string
		file []byte
		want error
		frag string
	}{
		{"empty file", nil, npy.ErrMalformed, "too short for the 10-byte preamble"},
		{"short", []byte("\x93NUMPY\x01"), npy.ErrMalformed, "too short"},
		{"v2 preamble cut", []byte("\x93NUMPY\x02\x00\x10\x00\x00"), npy.ErrMalformed, "12-byte preamble"},
		{"bad magic", []byte("\x93NUMPZ\x01\x00\x00\x00"), npy.ErrMalformed, "magic"},
		{"pickle, not npy", []byte("\x80\x04\x95\x00\x00\x00\x00\x00\x00\x00\x00"), npy.ErrMalformed, "magic"},
		{"version 4.0", npyFile(4, okDict, 24), npy.ErrUnsupported, "version 4.0"},
		{"version 1.1", append([]byte("\x93NUMPY\x01\x01"), npyFile(1, okDict, 24)[8:]...), npy.ErrUnsupported, "version 1.1"},
		{"header past end of file", rawFile(1, 200, okDict, 0), npy.ErrMalformed, "runs past the end"},
		{"v1 header over limit", rawFile(1, 10001, okDict, 0), npy.ErrTooLarge, "10001"},
		{"v2 header of 4 GB claimed", rawFile(2, 0xffffffff, okDict, 0), npy.ErrTooLarge, "4294967295"},
		{"data missing", npyFile(1, okDict, 23), npy.ErrMalformed, "needs 24 data bytes, the file has 23"},
		{"not a dict", npyFile(1, "['descr', '<f4']", 0), npy.ErrMalformed, "not a dict"},
		{"empty header", rawFile(1, 0, "", 0), npy.ErrMalformed, "expected a Python literal"},
		{"trailing junk", npyFile(1, okDict+" x", 24), npy.ErrMalformed, "trailing data"},
		{"NUL padding", rawFile(1, uint32(len(okDict)+2), okDict+"\x00\n", 24), npy.ErrMalformed, "trailing data"},
		{"missing key", npyFile(1, "{'descr': '<f4', 'shape': (2,)}", 8), npy.ErrMalformed, "lacks the key 'fortran_order'"},
		{"extra key", npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2,), 'x': 1}", 8), npy.ErrMalformed, "unexpected header key \"x\""},
		{"duplicate key", npyFile(1, "{'descr': '<f4', 'descr': '<f4', 'fortran_order': False, 'shape': (2,)}", 8), npy.ErrMalformed, "duplicate key \"descr\""},
		{"non-string key", npyFile(1, "{1: 2}", 0), npy.ErrMalformed, "dict key is an int"},
		{"unterminated dict", npyFile(1, "{'descr': '<f4'", 0), npy.ErrMalformed, "expected ',' or '}'"},
		{"unterminated string", npyFile(1, "{'descr: 1}", 0), npy.ErrMalformed, "newline inside a string"},
		{"big-endian", npyFile(1, dict("'>f8'", "False", "(2,)"), 16), npy.ErrUnsupported, "big-endian"},
		{"native order", npyFile(1, dict("'=f4'", "False", "(2,)"), 8), npy.ErrUnsupported, "no explicit little-endian"},
		{"no order", npyFile(1, dict("'f4'", "False", "(2,)"), 8), npy.ErrUnsupported, "not a supported"},
		{"object", npyFile(1, dict("'|O'", "False", "(2,)"), 16), npy.ErrUnsupported, "object dtype"},
		{"object without order", npyFile(1, dict("'O'", "False", "(2,)"), 16), npy.ErrUnsupported, "object dtype"},
		{"bytes", npyFile(1, dict("'|S4'", "False", "(2,)"), 8), npy.ErrUnsupported, "not a supported"},
		{"void", npyFile(1, dict("'|V8'", "False", "(2,)"), 16), npy.ErrUnsupported, "not a supported"},
		{"structured", npyFile(1, dict("[('x', '<f4')]", "False", "(2,)"), 8), npy.ErrUnsupported, "structured"},
		{"subarray", npyFile(1, dict("('<f4', (2,))", "False", "(2,)"), 16), npy.ErrUnsupported, "subarray"},
		{"descr int", npyFile(1, dict("4", "False", "(2,)"), 8), npy.ErrMalformed, "descr is an int"},
		{"descr with escape", npyFile(1, dict(`'<f\x34'`, "False", "(2,)"), 8), npy.ErrUnsupported, "escape sequences"},
		{"triple-quoted", npyFile(1, dict(`'''<f4'''`, "False", "(2,)"), 8), npy.ErrUnsupported, "triple-quoted"},
		{"fortran int", npyFile(1, dict("'<f4'", "1", "(2,)"), 8), npy.ErrMalformed, "fortran_order is an int"},
		{"fortran lowercase", npyFile(1, dict("'<f4'", "false", "(2,)"), 8), npy.ErrMalformed, "expected a Python literal"},
		{"shape list", npyFile(1, dict("'<f4'", "False", "[2]"), 8), npy.ErrMalformed, "shape is a list"},
		{"shape int", npyFile(1, dict("'<f4'", "False", "2"), 8), npy.ErrMalformed, "shape is an int"},
		{"shape parenthesised int", npyFile(1, dict("'<f4'", "False", "(2)"), 8), npy.ErrMalformed, "shape is an int"},
		{"negative dim", npyFile(1, dict("'<f4'", "False", "(-2,)"), 8), npy.ErrMalformed, "negative"},
		{"float dim", npyFile(1, dict("'<f4'", "False", "(2.0,)"), 8), npy.ErrMalformed, "not a decimal integer"},
		{"hex dim", npyFile(1, dict("'<f4'", "False", "(0x2,)"), 8), npy.ErrMalformed, "not a decimal integer"},
		{"underscore dim", npyFile(1, dict("'<f4'", "False", "(1_0,)"), 40), npy.ErrMalformed, "not a decimal integer"},
		{"leading zero", npyFile(1, dict("'<f4'", "False", "(02,)"), 8), npy.ErrMalformed, "leading zero"},
		{"bool dim", npyFile(1, dict("'<f4'", "False", "(True,)"), 4), npy.ErrMalformed, "is a bool"},
		{"None dim", npyFile(1, dict("'<f4'", "False", "(None,)"), 4), npy.ErrMalformed, "is None"},
		{"dim too large", npyFile(1, dict("'<f4'", "False", "(99999999999999999999,)"), 0), npy.ErrMalformed, "too large"},
		{"shape overflows", npyFile(1, dict("'<f4'", "False", "(4294967296, 4294967296)"), 0), npy.ErrMalformed, "overflows"},
		{"bytes overflow", npyFile(1, dict("'<c16'", "False", "(1152921504606846976,)"), 0), npy.ErrMalformed, "overflows"},
		{"huge with a zero", npyFile(1, dict("'<f8'", "False", "(0, 4611686018427387904, 4)"), 0), npy.ErrMalformed, "overflows"},
		{"65 dims", npyFile(1, dict("'<f4'", "False", many), 4), npy.ErrUnsupported, "65 dimensions"},
		{"long ints in v3", npyFile(3, dict("'<f4'", "False", "(2L,)"), 8), npy.ErrMalformed, "not a decimal integer"},
		{"deep nesting", npyFile(1, dict("'<f4'", "False", strings.Repeat("(", 100)+strings.Repeat(")", 100)), 4), npy.ErrMalformed, "nested more than 64"},
		{"comment", npyFile(1, okDict+" # hi", 24), npy.ErrMalformed, "trailing data"},
		{"call", npyFile(1, "{'descr': dtype('<f4'), 'fortran_order': False, 'shape': (2,)}", 8), npy.ErrMalformed, "expected a Python literal"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := npy.ReadHeader(bytes.NewReader(tc.file), int64(len(tc.file)))
			require.Error(t, err)
			assert.Nil(t, h)
			assert.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.frag)
		})
	}
}

func TestParseHeaderAccepts(t *testing.T) {
	cases := []struct {
		name  string
		file  []byte
		descr string
		shape []int64
		fort  bool
		item  int
	}{
		{"numpy layout", npyFile(1, okDict, 0), "<f4", []int64{2, 3}, false, 4},
		{"any key order, no trailing comma", npyFile(1, "{'shape': (2, 3), 'fortran_order': True, 'descr': '<f4'}", 0), "<f4", []int64{2, 3}, true, 4},
		{"double quotes and u prefix", npyFile(1, `{"descr": u"<i8", u'fortran_order': False, "shape": (5,)}`, 0), "<i8", []int64{5}, false, 8},
		{"odd whitespace", npyFile(1, "{ 'descr' :'<u2' ,\n'fortran_order':False,\t'shape':( 1 , 2 , ) }", 0), "<u2", []int64{1, 2}, false, 2},
		{"0-d", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': ()}", 0), "<f8", []int64{}, false, 8},
		{"zero dims", npyFile(1, "{'descr': '<f8', 'fortran_order': False, 'shape': (0, 3, 0)}", 0), "<f8", []int64{0, 3, 0}, false, 8},
		{"one-byte little-endian spelling", npyFile(1, "{'descr': '<i1', 'fortran_order': False, 'shape': (1,)}", 0), "|i1", []int64{1}, false, 1},
		{"one-byte big-endian spelling", npyFile(1, "{'descr': '>u1', 'fortran_order': False, 'shape': (1,)}", 0), "|u1", []int64{1}, false, 1},
		{"python 2 longs in v1", npyFile(1, "{'descr': '<f4', 'fortran_order': False, 'shape': (2L, 3l)}", 0), "<f4", []int64{2, 3}, false, 4},
		{"python 2 longs in v2", npyFile(2, "{'descr': '<f4', 'fortran_order': False, 'shape': (2L,)}", 0), "<f4", []int64{2}, false, 4},
		{"v3 with UTF-8 padding", npyFile(3, "{'descr': '<c8', 'fortran_order': False, 'shape': (2,)}", 0), "<c8", []int64{2}, false, 8},
		{"signed zero", npyFile(1, "{'descr': '|b1', 'fortran_order': False, 'shape': (-0, +4, 00)}", 0), "|b1", []int64{0, 4, 0}, false, 1},
		{"unpadded header", rawFile(1, uint32(len(okDict)), okDict, 0), "<f4", []int64{2, 3}, false, 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, err := npy.ParseHeader(tc.file)
			require.NoError(t, err)
			assert.Equal(t, tc.descr, h.Descr)
			assert.Equal(t, tc.shape, h.Shape)
			assert.Equal(t, tc.fort, h.FortranOrder)
			assert.Equal(t, tc.item, h.ItemSize)
			assert.EqualValues(t, len(tc.file), h.DataOffset)
		})
	}
}
