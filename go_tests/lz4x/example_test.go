package lz4x_test

import (
	"bytes"
	"errors"
	"fmt"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
)

// A raw block round trip, as compress_data_lz4 and decompress_data_lz4 do it.
func ExampleCompressBlockHC() {
	src := bytes.Repeat([]byte("jarvis "), 100)
	block := make([]byte, lz4x.CompressBlockBound(len(src)))
	n, err := lz4x.CompressBlockHC(block, src, 12)
	if err != nil {
		panic(err)
	}
	out := make([]byte, len(src)) // the caller's size is a capacity bound
	m, err := lz4x.DecompressBlock(out, block[:n])
	fmt.Println(len(src), n, m, err, bytes.Equal(src, out[:m]))
	// Output: 700 19 700 <nil> true
}

// A frame sized from its own header, as decompress_model does it.
func ExampleDecompressFrame() {
	src := []byte("pickled model bytes, pickled model bytes, pickled model bytes")
	frame := make([]byte, lz4x.CompressFrameBound(len(src)))
	n, _ := lz4x.CompressFrame(frame, src, 0)
	frame = frame[:n]

	size, known, _ := lz4x.FrameContentSize(frame)
	out := make([]byte, size)
	m, err := lz4x.DecompressFrame(out, frame)
	fmt.Println(size, known, m, err)
	// Output: 61 true 61 <nil>
}

// Claimed sizes are checked against what the data could hold before anything is allocated.
func ExampleReadSizePrefix() {
	hostile := []byte{0x00, 0x00, 0x00, 0x40, 0x00} // claims 1 GiB from one byte
	_, _, err := lz4x.ReadSizePrefix(hostile)
	fmt.Println(errors.Is(err, lz4x.ErrTooLarge))
	// Output: true
}
