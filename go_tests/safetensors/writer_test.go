package safetensors_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// rewrite reads a file with ReadHeader and writes the same tensors and metadata with a Writer,
// handing the tensors over in reverse offset order, so the Writer's layout cannot just echo the
// input order.
func rewrite(t *testing.T, raw []byte, dest string) {
	t.Helper()
	h, err := safetensors.ReadHeader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err)
	specs := make([]safetensors.Spec, 0, len(h.Tensors))
	for _, tn := range slices.Backward(h.Tensors) {
		specs = append(specs, safetensors.Spec{Name: tn.Name, DType: tn.DType, Shape: tn.Shape})
	}
	w, err := safetensors.Create(dest, specs, h.Metadata)
	require.NoError(t, err)
	defer w.Abort()
	assert.EqualValues(t, len(raw), w.Size())
	for _, tn := range slices.Backward(h.Tensors) {
		require.NoError(t, w.Write(tn.Name, raw[tn.Offset:tn.Offset+tn.Length]))
	}
	require.NoError(t, w.Commit())
}

func TestWriterMatchesReferenceBytes(t *testing.T) {
	dir := t.TempDir()
	for name := range loadExpected(t) {
		t.Run(name, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join("testdata", name))
			require.NoError(t, err)
			dest := filepath.Join(dir, name)
			rewrite(t, raw, dest)
			got, err := os.ReadFile(dest)
			require.NoError(t, err)
			if name != "ref_metadata.safetensors" {
				require.Equal(t, raw, got, "byte-for-byte equal to safetensors.numpy.save_file output")
				return
			}
			// The reference writes several metadata keys in hash-map order, which changes from
			// run to run; the Writer sorts them. Everything else must still match exactly.
			require.Equal(t, len(raw), len(got))
			hRef, err := safetensors.ReadHeader(bytes.NewReader(raw), int64(len(raw)))
			require.NoError(t, err)
			hGot, err := safetensors.ReadHeader(bytes.NewReader(got), int64(len(got)))
			require.NoError(t, err)
			assert.Equal(t, hRef, hGot)
			assert.Equal(t, raw[hRef.DataStart:], got[hGot.DataStart:])
			assert.Contains(t, string(got), `{"__metadata__":{"a":"1","b":"two","c":"é\n\"\\"},`)
		})
	}
}

// TestWriterLoadsInReferencePackage has the real safetensors package load a Writer's file. It is
// skipped where python3 (the first on PATH) with numpy and safetensors is not installed, and
// fails instead when JRX_REQUIRE_INTEROP=1 (CI runs it with its venv first on PATH).
func TestWriterLoadsInReferencePackage(t *testing.T) {
	skip := t.Skip
	if os.Getenv("JRX_REQUIRE_INTEROP") == "1" {
		skip = func(args ...any) { t.Fatal(append([]any{"JRX_REQUIRE_INTEROP=1 but"}, args...)...) }
	}
	python, err := exec.LookPath("python3")
	if err != nil {
		skip("python3 not found")
	}
	if exec.Command(python, "-c", "import numpy, safetensors").Run() != nil {
		skip("python3 lacks numpy or safetensors:", python)
	}
	dest := filepath.Join(t.TempDir(), "out.safetensors")
	specs := []safetensors.Spec{
		{Name: "w", DType: safetensors.F32, Shape: []int64{2, 3}},
		{Name: "b", DType: safetensors.I64, Shape: []int64{3}},
		{Name: "s", DType: safetensors.F16, Shape: []int64{}},
		{Name: "e", DType: safetensors.U8, Shape: []int64{0, 4}},
		{Name: "m", DType: safetensors.BOOL, Shape: []int64{3}},
	}
	w, err := safetensors.Create(dest, specs, map[string]string{"scheme": "int8", "shapes": `{"w":[2,3]}`, "z": "é"})
	require.NoError(t, err)
	defer w.Abort()
	require.NoError(t, w.Write("m", []byte{1, 0, 1}))
	require.NoError(t, w.Write("e", nil))
	require.NoError(t, w.Write("s", []byte{0x00, 0x3c}))
	require.NoError(t, w.Write("b", []byte{1, 0, 0, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}))
	require.NoError(t, w.Write("w", []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40, 0, 0, 0x40, 0x40, 0, 0, 0x80, 0x40, 0, 0, 0xa0, 0x40, 0, 0, 0xc0, 0x40}))
	require.NoError(t, w.Commit())

	script := `
import json, sys
from safetensors import safe_open
from safetensors.numpy import load_file
t = load_file(sys.argv[1])
with safe_open(sys.argv[1], "np") as f:
    md = f.metadata()
print(json.dumps({"metadata": md, "tensors": {k: [v.dtype.str, list(v.shape), v.tolist()] for k, v in t.items()}}))
`
	out, err := exec.Command(python, "-c", script, dest).Output()
	require.NoError(t, err)
	var got struct {
		Metadata map[string]string `json:"metadata"`
		Tensors  map[string][]any  `json:"tensors"`
	}
	require.NoError(t, json.Unmarshal(out, &got))
	assert.Equal(t, map[string]string{"scheme": "int8", "shapes": `{"w":[2,3]}`, "z": "é"}, got.Metadata)
	assert.Equal(t, map[string][]any{
		"w": {"<f4", []any{2.0, 3.0}, []any{[]any{1.0, 2.0, 3.0}, []any{4.0, 5.0, 6.0}}},
		"b": {"<i8", []any{3.0}, []any{1.0, 2.0, -1.0}},
		"s": {"<f2", []any{}, 1.0},
		"e": {"|u1", []any{0.0, 4.0}, []any{}},
		"m": {"|b1", []any{3.0}, []any{true, false, true}},
	}, got.Tensors)
}

func TestWriterConcurrentWrites(t *testing.T) {
	raw, err := os.ReadFile(filepath.Join("testdata", "ref_mixed.safetensors"))
	require.NoError(t, err)
	h, err := safetensors.ReadHeader(bytes.NewReader(raw), int64(len(raw)))
	require.NoError(t, err)
	specs := make([]safetensors.Spec, len(h.Tensors))
	for i, tn := range h.Tensors {
		specs[i] = safetensors.Spec{Name: tn.Name, DType: tn.DType, Shape: tn.Shape}
	}
	dest := filepath.Join(t.TempDir(), "c.safetensors")
	w, err := safetensors.Create(dest, specs, h.Metadata)
	require.NoError(t, err)
	defer w.Abort()
	var wg sync.WaitGroup
	errs := make([]error, len(h.Tensors))
	for i, tn := range h.Tensors {
		wg.Go(func() { errs[i] = w.Write(tn.Name, raw[tn.Offset:tn.Offset+tn.Length]) })
	}
	wg.Wait()
	for _, err := range errs {
		require.NoError(t, err)
	}
	require.NoError(t, w.Commit())
	got, err := os.ReadFile(dest)
	require.NoError(t, err)
	assert.Equal(t, raw, got)
}

// dirNames lists a directory, to prove that aborted writers leave no temporary files behind.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	return names
}

func TestWriterAbortLeavesNothing(t *testing.T) {
	specs := []safetensors.Spec{{Name: "a", DType: safetensors.F32, Shape: []int64{2}}, {Name: "b", DType: safetensors.U8, Shape: []int64{1}}}
	cases := []struct {
		name   string
		finish func(w *safetensors.Writer) error
	}{
		{"abort before writes", func(w *safetensors.Writer) error { w.Abort(); return nil }},
		{"abort after a write", func(w *safetensors.Writer) error {
			if err := w.Write("a", make([]byte, 8)); err != nil {
				return err
			}
			w.Abort()
			return nil
		}},
		{"commit with a tensor missing", func(w *safetensors.Writer) error {
			if err := w.Write("a", make([]byte, 8)); err != nil {
				return err
			}
			err := w.Commit()
			if !errors.Is(err, safetensors.ErrInvalidArgument) || !strings.Contains(err.Error(), `"b"`) {
				return errors.New("Commit should name the missing tensor: " + err.Error())
			}
			w.Abort() // a no-op now
			return nil
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			dest := filepath.Join(dir, "m.safetensors")
			w, err := safetensors.Create(dest, specs, nil)
			require.NoError(t, err)
			require.NoError(t, tc.finish(w))
			assert.NoFileExists(t, dest)
			assert.Empty(t, dirNames(t, dir))

			// An existing destination survives an aborted replacement untouched.
			require.NoError(t, os.WriteFile(dest, []byte("old"), 0o644))
			w, err = safetensors.Create(dest, specs, nil)
			require.NoError(t, err)
			require.NoError(t, tc.finish(w))
			old, err := os.ReadFile(dest)
			require.NoError(t, err)
			assert.Equal(t, "old", string(old))
			assert.Equal(t, []string{"m.safetensors"}, dirNames(t, dir))
		})
	}
}

func TestWriterMisuse(t *testing.T) {
	specs := []safetensors.Spec{{Name: "a", DType: safetensors.I16, Shape: []int64{2}}, {Name: "z", DType: safetensors.U8, Shape: []int64{0}}}
	cases := []struct {
		name  string
		steps func(w *safetensors.Writer) error // returns the error under test
		frag  string
	}{
		{"unknown tensor", func(w *safetensors.Writer) error { return w.Write("b", make([]byte, 4)) }, "unknown tensor"},
		{"short data", func(w *safetensors.Writer) error { return w.Write("a", make([]byte, 3)) }, "needs 4 bytes, got 3"},
		{"long data", func(w *safetensors.Writer) error { return w.Write("a", make([]byte, 5)) }, "needs 4 bytes, got 5"},
		{"data for an empty tensor", func(w *safetensors.Writer) error { return w.Write("z", []byte{1}) }, "needs 0 bytes"},
		{"written twice", func(w *safetensors.Writer) error {
			_ = w.Write("a", make([]byte, 4))
			return w.Write("a", make([]byte, 4))
		}, "written twice"},
		{"empty tensor written twice", func(w *safetensors.Writer) error {
			_ = w.Write("z", nil)
			return w.Write("z", nil)
		}, "written twice"},
		{"write after abort", func(w *safetensors.Writer) error {
			w.Abort()
			return w.Write("a", make([]byte, 4))
		}, "after Commit or Abort"},
		{"commit after abort", func(w *safetensors.Writer) error {
			w.Abort()
			return w.Commit()
		}, "after Commit or Abort"},
		{"write after commit", func(w *safetensors.Writer) error {
			_ = w.Write("a", make([]byte, 4))
			_ = w.Write("z", nil)
			if err := w.Commit(); err != nil {
				return nil
			}
			return w.Write("a", make([]byte, 4))
		}, "after Commit or Abort"},
		{"commit twice", func(w *safetensors.Writer) error {
			_ = w.Write("a", make([]byte, 4))
			_ = w.Write("z", nil)
			if err := w.Commit(); err != nil {
				return nil
			}
			return w.Commit()
		}, "after Commit or Abort"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			w, err := safetensors.Create(filepath.Join(t.TempDir(), "x.safetensors"), specs, nil)
			require.NoError(t, err)
			defer w.Abort()
			err = tc.steps(w)
			require.ErrorIs(t, err, safetensors.ErrInvalidArgument)
			assert.Contains(t, err.Error(), tc.frag)
		})
	}
}

func TestCreateRejects(t *testing.T) {
	f32 := func(name string, shape ...int64) safetensors.Spec {
		return safetensors.Spec{Name: name, DType: safetensors.F32, Shape: shape}
	}
	cases := []struct {
		name     string
		specs    []safetensors.Spec
		metadata map[string]string
		want     error
		frag     string
	}{
		{"duplicate name", []safetensors.Spec{f32("a", 1), f32("a", 2)}, nil, safetensors.ErrInvalidArgument, "appears twice"},
		{"reserved name", []safetensors.Spec{f32("__metadata__", 1)}, nil, safetensors.ErrInvalidArgument, "reserved"},
		{"unknown dtype", []safetensors.Spec{{Name: "a", DType: "F128", Shape: []int64{1}}}, nil, safetensors.ErrInvalidArgument, "unsupported dtype"},
		{"empty dtype", []safetensors.Spec{{Name: "a", Shape: []int64{1}}}, nil, safetensors.ErrInvalidArgument, "unsupported dtype"},
		{"negative dim", []safetensors.Spec{f32("a", 2, -1)}, nil, safetensors.ErrInvalidArgument, "negative"},
		{"shape overflows", []safetensors.Spec{f32("a", 1<<40, 1<<40)}, nil, safetensors.ErrInvalidArgument, "overflows"},
		{"bytes overflow", []safetensors.Spec{f32("a", 1<<62)}, nil, safetensors.ErrInvalidArgument, "overflows"},
		{"total overflows", []safetensors.Spec{f32("a", 1<<60), f32("b", 1<<60)}, nil, safetensors.ErrInvalidArgument, "total size"},
		{"65 dims", []safetensors.Spec{f32("a", make([]int64, 65)...)}, nil, safetensors.ErrInvalidArgument, "65 dimensions"},
		{"bad UTF-8 name", []safetensors.Spec{f32("a\xff", 1)}, nil, safetensors.ErrInvalidArgument, "UTF-8"},
		{"bad UTF-8 metadata", []safetensors.Spec{f32("a", 1)}, map[string]string{"k": "\xc3"}, safetensors.ErrInvalidArgument, "UTF-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			w, err := safetensors.Create(filepath.Join(dir, "x.safetensors"), tc.specs, tc.metadata)
			require.ErrorIs(t, err, tc.want)
			assert.Nil(t, w)
			assert.Contains(t, err.Error(), tc.frag)
			assert.Empty(t, dirNames(t, dir))
		})
	}

	_, err := safetensors.Create(filepath.Join(t.TempDir(), "no", "such", "dir", "x.safetensors"), nil, nil)
	require.ErrorIs(t, err, fs.ErrNotExist)
}

func TestCreateHeaderTooLarge(t *testing.T) {
	if testing.Short() {
		t.Skip("allocates a few hundred MB")
	}
	dir := t.TempDir()
	name := strings.Repeat("n", safetensors.MaxHeaderSize)
	_, err := safetensors.Create(filepath.Join(dir, "x.safetensors"), []safetensors.Spec{{Name: name, DType: safetensors.U8}}, nil)
	require.ErrorIs(t, err, safetensors.ErrTooLarge)
	assert.Contains(t, err.Error(), "header would be")
	assert.Empty(t, dirNames(t, dir))

	// Names longer than the limit on their own are refused before a header is built.
	_, err = safetensors.Create(filepath.Join(dir, "x.safetensors"), []safetensors.Spec{{Name: name + "n", DType: safetensors.U8}}, nil)
	require.ErrorIs(t, err, safetensors.ErrTooLarge)
	assert.Contains(t, err.Error(), "alone take")
	assert.Empty(t, dirNames(t, dir))
}
