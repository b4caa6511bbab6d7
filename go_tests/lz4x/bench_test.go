package lz4x_test

import (
	"fmt"
	"path/filepath"
	"sync"
	"testing"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/lz4x"
)

// benchSizes span one small block to inputs far beyond any cache.
var benchSizes = []int{64 << 10, 1 << 20, 16 << 20, 64 << 20}

var benchData = struct {
	sync.Mutex
	m map[string][]byte
}{m: map[string][]byte{}}

// benchInput returns n bytes of the named data set, generated once per process.
func benchInput(name string, n int) []byte {
	benchData.Lock()
	defer benchData.Unlock()
	key := fmt.Sprint(name, n)
	if b, ok := benchData.m[key]; ok {
		return b
	}
	var b []byte
	if name == "weights" {
		b = weights(n)
	} else {
		b = text(n)
	}
	benchData.m[key] = b
	return b
}

// forEachInput runs fn as a sub-benchmark per data set and size up to maxSize.
func forEachInput(b *testing.B, maxSize int, fn func(b *testing.B, src []byte)) {
	for _, name := range []string{"weights", "text"} {
		for _, n := range benchSizes {
			if n > maxSize {
				continue
			}
			b.Run(fmt.Sprintf("%s/%dKiB", name, n>>10), func(b *testing.B) {
				src := benchInput(name, n)
				b.SetBytes(int64(n))
				b.ReportAllocs()
				fn(b, src)
			})
		}
	}
}

func BenchmarkCompressBlockHC12(b *testing.B) {
	forEachInput(b, 16<<20, func(b *testing.B, src []byte) {
		dst := make([]byte, lz4x.CompressBlockBound(len(src)))
		var n int
		for b.Loop() {
			n, _ = lz4x.CompressBlockHC(dst, src, 12)
		}
		b.ReportMetric(float64(n)/float64(len(src)), "ratio")
	})
}

// BenchmarkDecompressBlock decodes what compress_data_lz4 writes: level 12 blocks.
func BenchmarkDecompressBlock(b *testing.B) {
	forEachInput(b, 64<<20, func(b *testing.B, src []byte) {
		block := compressBlock(b, src, 12)
		dst := make([]byte, len(src))
		for b.Loop() {
			if _, err := lz4x.DecompressBlock(dst, block); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkCompressFrame(b *testing.B) {
	for _, level := range []int{0, 9} {
		b.Run(fmt.Sprintf("L%d", level), func(b *testing.B) {
			maxSize := 64 << 20
			if level > 0 {
				maxSize = 16 << 20
			}
			forEachInput(b, maxSize, func(b *testing.B, src []byte) {
				dst := make([]byte, lz4x.CompressFrameBound(len(src)))
				var n int
				for b.Loop() {
					n, _ = lz4x.CompressFrame(dst, src, level)
				}
				b.ReportMetric(float64(n)/float64(len(src)), "ratio")
			})
		})
	}
}

func BenchmarkDecompressFrame(b *testing.B) {
	forEachInput(b, 64<<20, func(b *testing.B, src []byte) {
		frame := compressFrame(b, src, 0)
		dst := make([]byte, len(src))
		for b.Loop() {
			if _, err := lz4x.DecompressFrame(dst, frame); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecompressFrameAlloc(b *testing.B) {
	forEachInput(b, 64<<20, func(b *testing.B, src []byte) {
		frame := compressFrame(b, src, 0)
		for b.Loop() {
			if _, err := lz4x.DecompressFrameAlloc(frame, 1<<30); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkCompressFile(b *testing.B) {
	forEachInput(b, 64<<20, func(b *testing.B, src []byte) {
		dir := b.TempDir()
		in := writeFile(b, dir, "in", src)
		out := filepath.Join(dir, "out.lz4")
		for b.Loop() {
			if _, err := lz4x.CompressFile(in, out, 0, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkDecompressFile(b *testing.B) {
	forEachInput(b, 64<<20, func(b *testing.B, src []byte) {
		dir := b.TempDir()
		in := writeFile(b, dir, "in.lz4", compressFrame(b, src, 0))
		out := filepath.Join(dir, "out")
		for b.Loop() {
			if _, err := lz4x.DecompressFile(in, out, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkCompressFrameFastPaths compares the assembly fast compressor and checksum loops with
// the pure-Go loops they mirror, on one core: go test -bench FastPaths -cpu 1.
func BenchmarkCompressFrameFastPaths(b *testing.B) {
	for _, asm := range []bool{true, false} {
		b.Run(fmt.Sprintf("asm=%v", asm), func(b *testing.B) {
			if asm && !lz4x.AssemblyAvailable() {
				b.Skip("no assembly in this build")
			}
			prev := lz4x.UseAssembly(asm)
			defer lz4x.UseAssembly(prev)
			forEachInput(b, 16<<20, func(b *testing.B, src []byte) {
				dst := make([]byte, lz4x.CompressFrameBound(len(src)))
				for b.Loop() {
					if _, err := lz4x.CompressFrame(dst, src, 0); err != nil {
						b.Fatal(err)
					}
				}
			})
		})
	}
}
