package safetensors_test

import (
	"encoding/binary"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"
)

// expectedFile is one entry of testdata/expected.json, written by testdata/generate.py from an
// independent reading (Python's json module) of a file the reference implementation wrote.
type expectedFile struct {
	Size      int64             `json:"size"`
	DataStart int64             `json:"data_start"`
	Metadata  map[string]string `json:"metadata"`
	Tensors   []struct {
		Name   string  `json:"name"`
		DType  string  `json:"dtype"`
		Shape  []int64 `json:"shape"`
		Offset int64   `json:"offset"`
		Length int64   `json:"length"`
		SHA256 string  `json:"sha256"`
	} `json:"tensors"`
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

// withPrefix returns a safetensors file: the 8-byte length of header, header, then dataSize zero
// bytes.
func withPrefix(header string, dataSize int) []byte {
	b := make([]byte, 8, 8+len(header)+dataSize)
	binary.LittleEndian.PutUint64(b, uint64(len(header)))
	b = append(b, header...)
	return append(b, make([]byte, dataSize)...)
}

// rawPrefix returns a file whose length prefix claims n bytes, followed by body.
func rawPrefix(n uint64, body string) []byte {
	b := make([]byte, 8, 8+len(body))
	binary.LittleEndian.PutUint64(b, n)
	return append(b, body...)
}

// boundedReader is an io.ReaderAt over a virtual file: real bytes up to len(head), then zeros up
// to size. It records the furthest byte read, to prove readers stop at the header.
type boundedReader struct {
	head    []byte
	size    int64
	maxRead int64
}

func (r *boundedReader) ReadAt(p []byte, off int64) (int, error) {
	if end := off + int64(len(p)); end > r.maxRead {
		r.maxRead = end
	}
	n := 0
	for n < len(p) && off+int64(n) < r.size {
		pos := off + int64(n)
		if pos < int64(len(r.head)) {
			p[n] = r.head[pos]
		} else {
			p[n] = 0
		}
		n++
	}
	if n < len(p) {
		return n, io.EOF
	}
	return n, nil
}
