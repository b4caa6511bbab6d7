package safetensors_test

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// Write a file tensor by tensor, then find the tensors again from the header alone.
func Example() {
	dir, err := os.MkdirTemp("", "example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	dest := filepath.Join(dir, "model.safetensors")

	w, err := safetensors.Create(dest, []safetensors.Spec{
		{Name: "bias", DType: safetensors.F32, Shape: []int64{2}},
		{Name: "ids", DType: safetensors.I64, Shape: []int64{1}},
	}, map[string]string{"format": "np"})
	if err != nil {
		panic(err)
	}
	defer w.Abort() // a no-op once Commit has run
	if err := w.Write("ids", []byte{7, 0, 0, 0, 0, 0, 0, 0}); err != nil {
		panic(err)
	}
	if err := w.Write("bias", []byte{0, 0, 0x80, 0x3f, 0, 0, 0, 0x40}); err != nil {
		panic(err)
	}
	if err := w.Commit(); err != nil {
		panic(err)
	}

	f, err := os.Open(dest)
	if err != nil {
		panic(err)
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		panic(err)
	}
	h, err := safetensors.ReadHeader(f, info.Size())
	if err != nil {
		panic(err)
	}
	fmt.Println("metadata:", h.Metadata, "data starts at", h.DataStart)
	for _, t := range h.Tensors {
		fmt.Printf("%s %s %v: %d bytes at %d\n", t.Name, t.DType, t.Shape, t.Length, t.Offset)
	}
	// Output:
	// metadata: map[format:np] data starts at 152
	// ids I64 [1]: 8 bytes at 152
	// bias F32 [2]: 8 bytes at 160
}
