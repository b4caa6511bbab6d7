package lz4x_test

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// mixed is text then weights, so frames have both compressed and stored blocks.
func mixed(n int) []byte {
	return append(text(n/2), weights(n-n/2)...)
}

func TestCLIDecodesOurFrames(t *testing.T) {
	cli := lz4CLI(t)
	dir := t.TempDir()
	for _, n := range []int{0, 1, 70_000, 5<<20 + 3} {
		for _, level := range []int{0, 9} {
			t.Run(fmt.Sprintf("%d/L%d", n, level), func(t *testing.T) {
				src := mixed(n)
				p := filepath.Join(dir, fmt.Sprintf("f%d_%d.lz4", n, level))
				require.NoError(t, os.WriteFile(p, compressFrame(t, src, level), 0o600))
				out, err := exec.Command(cli, "-d", "-c", p).Output()
				require.NoError(t, err)
				assert.True(t, bytes.Equal(src, out), "lz4 -d output differs")
			})
		}
	}
}

func TestCLIDecodesOurFiles(t *testing.T) {
	cli := lz4CLI(t)
	dir := t.TempDir()
	src := mixed(3<<20 + 5)
	in := filepath.Join(dir, "in")
	require.NoError(t, os.WriteFile(in, src, 0o600))
	comp := filepath.Join(dir, "in.lz4")
	_, err := lz4x.CompressFile(in, comp, 1, nil)
	require.NoError(t, err)
	out, err := exec.Command(cli, "-d", "-c", comp).Output()
	require.NoError(t, err)
	assert.True(t, bytes.Equal(src, out))
}

func TestWeDecodeCLIFrames(t *testing.T) {
	cli := lz4CLI(t)
	dir := t.TempDir()
	src := mixed(9<<20 + 17)
	in := filepath.Join(dir, "in")
	require.NoError(t, os.WriteFile(in, src, 0o600))
	options := [][]string{
		{"-B4"}, {"-B5"}, {"-B6"}, {"-B7"},
		{"-B4D"}, {"-B7D"}, // linked blocks
		{"-B4", "--content-size"}, {"-B7", "--content-size"},
		{"-B5", "-BX"}, // block checksums
		{"-B6", "--no-frame-crc"},
		{"-B4D", "-9"}, {"-12", "--content-size"},
	}
	for _, opts := range options {
		t.Run(strings.Join(opts, " "), func(t *testing.T) {
			p := filepath.Join(dir, strings.ReplaceAll(strings.Join(opts, ""), "-", "_")+".lz4")
			args := append([]string{"-q", "-f"}, opts...)
			out, err := exec.Command(cli, append(args, in, p)...).CombinedOutput()
			require.NoError(t, err, "%s", out)
			frame, err := os.ReadFile(p)
			require.NoError(t, err)

			got, err := lz4x.DecompressFrameAlloc(frame, 1<<30)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(src, got), "DecompressFrameAlloc differs")

			dst := make([]byte, len(src))
			n, err := lz4x.DecompressFrame(dst, frame)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(src, dst[:n]), "DecompressFrame differs")

			outPath := p + ".out"
			_, err = lz4x.DecompressFile(p, outPath, nil)
			require.NoError(t, err)
			fileOut, err := os.ReadFile(outPath)
			require.NoError(t, err)
			assert.True(t, bytes.Equal(src, fileOut), "DecompressFile differs")
		})
	}
}

// TestPythonLZ4ReadsOurOutput checks the contract docs/API.md states in python-lz4's terms: blocks
// decode with lz4.block.decompress and frames with lz4.frame.decompress.
// LZ4X_PYTHON names the interpreter to use (CI installs python-lz4 in a venv, not for python3).
func TestPythonLZ4ReadsOurOutput(t *testing.T) {
	py := pythonWithLZ4(t, ": our output is checked against liblz4 only through the decoder, whose verdicts TestDecompressBlockAgreesWithLiblz4 pins")
	dir := t.TempDir()
	src := mixed(3<<20 + 11) // more than one 1 MiB segment, so joined blocks are covered
	files := map[string][]byte{"src": src, "empty": compressBlock(t, nil, 12)}
	for _, level := range []int{1, 4, 5, 9, 12} {
		files[fmt.Sprint("block", level)] = compressBlock(t, src, level)
	}
	for _, level := range []int{0, 3, 9, 12} {
		files[fmt.Sprint("frame", level)] = compressFrame(t, src, level)
	}
	for name, data := range files {
		require.NoError(t, os.WriteFile(filepath.Join(dir, name), data, 0o600))
	}
	script := `
import os, sys, lz4.block, lz4.frame
d = sys.argv[1] + "/"
src = open(d + "src", "rb").read()
for name in sorted(os.listdir(d)):
    data = open(d + name, "rb").read()
    if name.startswith("block"):
        assert lz4.block.decompress(data, uncompressed_size=len(src)) == src, name
    elif name.startswith("frame"):
        assert lz4.frame.decompress(data) == src, name
assert lz4.block.decompress(open(d + "empty", "rb").read(), uncompressed_size=0) == b"", "empty"
`
	out, err := exec.Command(py, "-c", script, dir).CombinedOutput()
	require.NoError(t, err, "%s", out)
}
