package surface_test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestUnsafeStaysInItsFiles holds README's list of the files that use package unsafe (Python-owned
// addresses into Go slices, the memory map's address, reading a mapping, kernel file reads): a new
// use elsewhere fails here until it is reviewed and added to both lists.
func TestUnsafeStaysInItsFiles(t *testing.T) {
	want := []string{
		"buffers.go",                  // Python-owned addresses into Go slices, during a call only
		"lz4x/blockdecode.go",         // the decoder's fast loop, under its bounds invariants
		"lz4x/fastcompress.go",        // the fast compressor's inner loop, room checked per sequence
		"lz4x/hclazy_emit.go",         // the lazy levels' sequence writer: 8-byte literal copies
		"lz4x/hclazy_match.go",        // the lazy levels' match finder: candidate and run reads
		"lz4x/hcmatch.go",             // the HC match finder's candidate reads
		"memstat/kernelfile.go",       // kernel file reads into kept buffers
		"memstat/libsystem_darwin.go", // libSystem calls on macOS (Mach VM statistics, proc_pidinfo)
		"mmap.go",                     // a mapping's address for Python
		"modelquant/views.go",         // typed views of a mapped model's tensor bytes
		"pyaccel/install_cpython.go",  // handing the C fast paths to Python
	}
	root := jarvisrsDir(t)
	var got []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return err
		}
		f, err := parser.ParseFile(token.NewFileSet(), path, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		for _, imp := range f.Imports {
			if p, _ := strconv.Unquote(imp.Path.Value); p == "unsafe" {
				rel, _ := filepath.Rel(root, path)
				got = append(got, filepath.ToSlash(rel))
			}
		}
		return nil
	})
	require.NoError(t, err)
	sort.Strings(got)
	require.Equal(t, want, got)
}
