package npy_test

import (
	"encoding/binary"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// expectedFile is one entry of testdata/expected.json, written by testdata/generate.py from what
// numpy itself reports about each file; Error is set for files the reader must refuse.
type expectedFile struct {
	Error        string  `json:"error"`
	Descr        string  `json:"descr"`
	FortranOrder bool    `json:"fortran_order"`
	Shape        []int64 `json:"shape"`
	DataOffset   int64   `json:"data_offset"`
	ItemSize     int     `json:"item_size"`
	Size         int64   `json:"size"`
	SHA256       string  `json:"sha256"`
}

func loadExpected(t testing.TB) map[string]expectedFile {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", "expected.json"))
	require.NoError(t, err)
	var doc struct {
		Files map[string]expectedFile `json:"files"`
	}
	require.NoError(t, json.Unmarshal(raw, &doc))
	require.NotEmpty(t, doc.Files)
	return doc.Files
}

// npyFile builds a .npy file of the given version around a header dict, padded as numpy pads
// (spaces and a newline to a multiple of 64 bytes), followed by dataSize zero bytes.
func npyFile(major byte, dict string, dataSize int) []byte {
	pre := 10
	if major >= 2 {
		pre = 12
	}
	header := dict + strings.Repeat(" ", (64-(pre+len(dict)+1)%64)%64) + "\n"
	return rawFile(major, uint32(len(header)), header, dataSize)
}

// rawFile builds a .npy file whose length field says hlen, whatever header actually follows.
func rawFile(major byte, hlen uint32, header string, dataSize int) []byte {
	b := []byte("\x93NUMPY")
	b = append(b, major, 0)
	if major >= 2 {
		b = binary.LittleEndian.AppendUint32(b, hlen)
	} else {
		b = binary.LittleEndian.AppendUint16(b, uint16(hlen))
	}
	b = append(b, header...)
	return append(b, make([]byte, dataSize)...)
}
