package modelquant

import (
	"context"
	"errors"
	"fmt"
	"os"

	"golang.org/x/sys/unix"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// chunkElems is how many values of a tensor are converted and quantized at once: large enough
// for quant's parallel loops to use every core, small enough that the float32 conversion buffer
// stays small next to the model.
const chunkElems = 1 << 21

// modelQuantizer carries the state of one Quantize call: the mapped source, the output writer,
// buffers reused from tensor to tensor, and progress.
type modelQuantizer struct {
	ctx      context.Context
	data     []byte // the whole mapped source
	w        *safetensors.Writer
	scheme   string
	total    int64 // bytes of tensor data in the source
	done     int64
	progress func(done, total int64)
	released int // data[:released] has been dropped from RSS

	out    []byte    // output tensor being built
	scales []float32 // its scales
	f32    []float32 // one chunk converted to float32
}

// tensor quantizes or copies one source tensor and writes it (and its scales) to the output.
func (q *modelQuantizer) tensor(p *tensorPlan) error {
	if q.ctx.Err() != nil {
		return ErrCancelled
	}
	t := p.src
	raw := q.data[t.Offset : t.Offset+t.Length]
	if p.rec.Method == methodCopy {
		if err := q.w.Write(t.Name, raw); err != nil {
			return err
		}
		q.advance(t.Length)
		q.release(int(t.Offset + t.Length))
		return nil
	}
	outLen := elementCount(p.out.Shape) * p.out.DType.Size()
	q.out = grow(q.out, outLen)
	q.scales = growF32(q.scales, p.scales)
	out, scales := q.out[:outLen], q.scales[:p.scales]
	n := elementCount(t.Shape)
	step := chunkStep(p, n)
	esize := t.DType.Size()
	for lo := 0; lo < n; lo += step {
		if q.ctx.Err() != nil {
			return ErrCancelled
		}
		hi := min(lo+step, n)
		vals := decodeFloats(&q.f32, raw[lo*esize:hi*esize], t.DType)
		if err := q.quantizeChunk(p, out, scales, vals, lo, hi); err != nil {
			return tensorError(t.Name, lo, err)
		}
		q.advance(int64((hi - lo) * esize))
		q.release(int(t.Offset) + hi*esize)
	}
	if err := q.w.Write(t.Name, out); err != nil {
		return err
	}
	if p.scales > 0 {
		if err := q.w.Write(t.Name+scaleSuffix, float32Bytes(scales)); err != nil {
			return err
		}
	}
	return nil
}

// chunkStep is how many values of p's tensor (n values) go into one chunk: about chunkElems,
// rounded to what the scheme needs to see at once (whole rows of axis 0 for INT8's per-channel
// scales, whole groups for INT4, whole rows of blocks for GGUF).
func chunkStep(p *tensorPlan, n int) int {
	unit := 1
	switch p.rec.Method {
	case SchemeInt8:
		unit = n / int(p.src.Shape[0])
	case SchemeInt4:
		unit = int4GroupSize
	case SchemeQ8_0, SchemeQ4_0:
		unit = int(p.src.Shape[len(p.src.Shape)-1])
	}
	unit = max(unit, 1)
	return max(1, chunkElems/unit) * unit
}

// quantizeChunk quantizes values [lo, hi) of p's tensor, given as vals, into its output.
func (q *modelQuantizer) quantizeChunk(p *tensorPlan, out []byte, scales []float32, vals []float32, lo, hi int) error {
	switch p.rec.Method {
	case SchemeInt8:
		inner := elementCount(p.src.Shape) / int(p.src.Shape[0])
		r0, r1 := lo/inner, hi/inner
		return quant.SymmetricInt8(int8View(out[lo:hi]), scales[r0:r1], vals, 1, r1-r0, inner)
	case SchemeInt4:
		return quant.Int4(out[lo/2:(hi+1)/2], scales[lo/int4GroupSize:(hi+int4GroupSize-1)/int4GroupSize], vals, int4GroupSize)
	case SchemeFP16:
		return quant.FP16(uint16View(out[2*lo:2*hi]), vals)
	case SchemeQ8_0, SchemeQ4_0:
		k := ggufKind(p.rec.Method)
		b0, _ := k.BytesFor(lo)
		b1, _ := k.BytesFor(hi)
		return quant.QuantizeGGUF(out[b0:b1], vals, int(p.src.Shape[len(p.src.Shape)-1]), k)
	}
	return fmt.Errorf("modelquant: no quantizer for method %q", p.rec.Method)
}

// advance adds n source bytes to the progress count and reports it.
func (q *modelQuantizer) advance(n int64) {
	q.done += n
	if q.progress != nil {
		q.progress(q.done, q.total)
	}
}

// release drops the map's pages below byte end from this process's resident set: they were
// read and will not be read again. Whole pages only; a page shared with the next tensor is
// simply faulted in again from the page cache if needed.
func (q *modelQuantizer) release(end int) {
	page := os.Getpagesize()
	end = min(end, len(q.data))
	start := q.released / page * page
	stop := end / page * page
	if end == len(q.data) {
		stop = end
	}
	if stop <= start {
		return
	}
	_ = unix.Madvise(q.data[start:stop], unix.MADV_DONTNEED)
	q.released = stop
}

// tensorError names the tensor (and the value's index in it) in a quantization error; every
// quantization failure is the input's fault (ErrInvalid).
func tensorError(name string, offset int, err error) error {
	var nf *quant.NonFiniteError
	if errors.As(err, &nf) {
		return invalidf("tensor %q: non-finite value %v at flat index %d; cannot quantize it", name, nf.Value, offset+nf.Index)
	}
	return invalidf("tensor %q: %w", name, err)
}
