package modelquant

import (
	"os"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// DataSize returns the bytes of tensor data in the safetensors file src (its size less the
// header): the total that Quantize's progress reports. Only the header is read. A malformed
// header returns the safetensors package's error, an unreadable file the *os.PathError.
func DataSize(src string) (int64, error) {
	f, err := os.Open(src)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return 0, err
	}
	h, err := safetensors.ReadHeader(f, info.Size())
	if err != nil {
		return 0, err
	}
	return info.Size() - h.DataStart, nil
}
