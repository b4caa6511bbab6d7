package jarvisrs

import (
	"bytes"
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"

	"golang.org/x/sys/unix"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/mapping"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// Quantizing a whole .safetensors model file, tensor by tensor, from a memory map.
//
// Memory: a tensor is read in chunks of chunkElems values straight from the map (float32 data in
// place; other float types through one chunk-sized float32 buffer), quantized into a Go buffer
// the size of its output, and written to the output file; then the pages of the map it occupied
// are dropped from this process (MADV_DONTNEED: they stay in the page cache, but no longer count
// in our RSS). Peak memory is about the largest output tensor plus one chunk, never the input.

// Names of the quantization schemes, as the Python API spells them.
const (
	schemeInt8 = "int8"
	schemeInt4 = "int4"
	schemeFP16 = "fp16"
	schemeQ8_0 = "q8_0"
	schemeQ4_0 = "q4_0"
	methodCopy = "copy" // a tensor stored as it was
)

// Keys of the output's __metadata__. Format marks a file this code wrote, Tensors holds the
// per-tensor records (tensorRecord, as a JSON object keyed by tensor name).
const (
	metaFormat      = "jrx.format"
	metaFormatValue = "jarvis-quantized-safetensors/1"
	metaScheme      = "jrx.scheme"
	metaTensors     = "jrx.tensors"
)

// int4GroupSize is the INT4 scheme's group: 32 consecutive values of the flattened tensor.
const int4GroupSize = 32

// chunkElems is how many values of a tensor are converted and quantized at once: large enough
// for quant's parallel loops to use every core, small enough that the float32 conversion buffer
// stays small next to the model.
const chunkElems = 1 << 21

// scaleSuffix names the tensor holding a quantized tensor's scales.
const scaleSuffix = ".scale"

// tensorRecord says what was done to one source tensor; the records are stored, as JSON, in the
// output's __metadata__ under metaTensors so the file can be read back into the original shapes.
type tensorRecord struct {
	DType     string  `json:"dtype"`  // source dtype
	Shape     []int64 `json:"shape"`  // source shape
	Method    string  `json:"method"` // a scheme name, or "copy"
	Axis      *int    `json:"axis,omitempty"`
	GroupSize int     `json:"group_size,omitempty"`
	Reason    string  `json:"reason,omitempty"` // why a floating tensor was copied
}

// quantizeStats is the summary quantizeModelFile returns (Job.Result's JSON).
type quantizeStats struct {
	Scheme    string `json:"scheme"`
	Tensors   int    `json:"tensors"`   // tensors in the source
	Quantized int    `json:"quantized"` // of which quantized (or converted, for fp16)
	Copied    int    `json:"copied"`
	BytesIn   int64  `json:"bytes_in"`  // source file size
	BytesOut  int64  `json:"bytes_out"` // output file size
}

// tensorPlan is the work for one source tensor.
type tensorPlan struct {
	src    safetensors.Tensor
	rec    tensorRecord
	out    safetensors.Spec // the tensor itself (quantized or copied)
	scales int              // number of float32 scales, stored as <name>.scale, or 0
}

// checkScheme validates a scheme name.
func checkScheme(scheme string) error {
	switch scheme {
	case schemeInt8, schemeInt4, schemeFP16, schemeQ8_0, schemeQ4_0:
		return nil
	}
	return valueErrorf("scheme must be one of int8, int4, fp16, q8_0, q4_0; got %q", scheme)
}

// isFloat reports whether dt is a floating-point dtype the schemes quantize.
func isFloat(dt safetensors.DType) bool {
	switch dt {
	case safetensors.F32, safetensors.F16, safetensors.BF16, safetensors.F64:
		return true
	}
	return false
}

// elementCount is the number of values of shape (validated by the safetensors reader, so it
// cannot overflow: the byte size fits in an int64).
func elementCount(shape []int64) int {
	n := 1
	for _, d := range shape {
		n *= int(d)
	}
	return n
}

// planTensor decides what scheme does to t.
func planTensor(t safetensors.Tensor, scheme string) tensorPlan {
	p := tensorPlan{src: t, rec: tensorRecord{DType: string(t.DType), Shape: t.Shape, Method: methodCopy}}
	if p.rec.Shape == nil {
		p.rec.Shape = []int64{}
	}
	p.out = safetensors.Spec{Name: t.Name, DType: t.DType, Shape: t.Shape}
	n := elementCount(t.Shape)
	switch {
	case !isFloat(t.DType):
		return p
	case len(t.Shape) < 2:
		p.rec.Reason = "fewer than 2 dimensions"
		return p
	case n == 0:
		p.rec.Reason = "no elements"
		return p
	}
	switch scheme {
	case schemeInt8:
		axis := 0
		p.rec.Axis = &axis
		p.out = safetensors.Spec{Name: t.Name, DType: safetensors.I8, Shape: t.Shape}
		p.scales = int(t.Shape[0])
	case schemeInt4:
		p.rec.GroupSize = int4GroupSize
		p.out = safetensors.Spec{Name: t.Name, DType: safetensors.U8, Shape: []int64{int64((n + 1) / 2)}}
		p.scales = (n + int4GroupSize - 1) / int4GroupSize
	case schemeFP16:
		p.out = safetensors.Spec{Name: t.Name, DType: safetensors.F16, Shape: t.Shape}
	case schemeQ8_0, schemeQ4_0:
		if t.Shape[len(t.Shape)-1]%quant.GGUFBlockLen != 0 {
			p.rec.Reason = fmt.Sprintf("last axis %d is not a multiple of %d", t.Shape[len(t.Shape)-1], quant.GGUFBlockLen)
			return p
		}
		size, err := ggufKind(scheme).BytesFor(n)
		if err != nil { // cannot happen: n is a multiple of 32 and the sizes fit
			p.rec.Reason = err.Error()
			return p
		}
		p.out = safetensors.Spec{Name: t.Name, DType: safetensors.U8, Shape: []int64{int64(size)}}
	}
	p.rec.Method = scheme
	return p
}

// ggufKind maps a GGUF scheme name to its quant kind.
func ggufKind(scheme string) quant.GGUFKind {
	if scheme == schemeQ4_0 {
		return quant.Q4_0
	}
	return quant.Q8_0
}

// quantizeModelFile reads the safetensors model src through a memory map and writes its
// quantization by scheme to dst atomically (see planTensor for what happens to each tensor).
// extraMeta is added to the output's __metadata__ after the source's own entries and before
// ours. progress receives (source data bytes done, source data bytes in all). A cancelled ctx
// stops it between chunks with errCancelled; dst is untouched on every error.
func quantizeModelFile(ctx context.Context, src, dst, scheme string, extraMeta map[string]string, progress func(done, total int64)) (quantizeStats, error) {
	stats := quantizeStats{Scheme: scheme}
	if err := checkScheme(scheme); err != nil {
		return stats, err
	}
	if ctx.Err() != nil {
		return stats, errCancelled
	}
	m, err := mapping.Open(src)
	if err != nil {
		return stats, osError(err)
	}
	defer m.Close()
	data, err := m.Bytes()
	if err != nil {
		return stats, osError(err)
	}
	h, err := safetensors.ReadHeader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		return stats, fileFormatError(err)
	}
	if h.Metadata[metaFormat] != "" || h.Metadata[metaScheme] != "" {
		return stats, valueErrorf("%s is already a quantized model (scheme %q); quantize the original", src, h.Metadata[metaScheme])
	}
	plans, specs, records, err := planModel(h, scheme)
	if err != nil {
		return stats, err
	}
	meta := make(map[string]string, len(h.Metadata)+len(extraMeta)+3)
	for k, v := range h.Metadata {
		meta[k] = v
	}
	for k, v := range extraMeta {
		meta[k] = v
	}
	recJSON, err := json.Marshal(records)
	if err != nil {
		return stats, withCode(codeInternal, err)
	}
	meta[metaFormat], meta[metaScheme], meta[metaTensors] = metaFormatValue, scheme, string(recJSON)

	w, err := safetensors.Create(dst, specs, meta)
	if err != nil {
		return stats, fileFormatError(err)
	}
	defer w.Abort()

	total := int64(len(data)) - h.DataStart
	q := &modelQuantizer{ctx: ctx, data: data, w: w, scheme: scheme, total: total, progress: progress}
	_ = unix.Madvise(data, unix.MADV_SEQUENTIAL)
	for i := range plans {
		if err := q.tensor(&plans[i]); err != nil {
			return stats, err
		}
		if plans[i].rec.Method == methodCopy {
			stats.Copied++
		} else {
			stats.Quantized++
		}
	}
	q.release(len(data))
	if err := ctx.Err(); err != nil {
		return stats, errCancelled
	}
	if err := w.Commit(); err != nil {
		return stats, fileFormatError(err)
	}
	if progress != nil {
		progress(total, total)
	}
	stats.Tensors = len(plans)
	stats.BytesIn = int64(len(data))
	stats.BytesOut = w.Size()
	return stats, nil
}

// planModel plans every tensor and lists the output tensors, refusing a source whose names
// would collide with the scale tensors the plan adds.
func planModel(h *safetensors.Header, scheme string) ([]tensorPlan, []safetensors.Spec, map[string]tensorRecord, error) {
	plans := make([]tensorPlan, len(h.Tensors))
	specs := make([]safetensors.Spec, 0, len(h.Tensors))
	records := make(map[string]tensorRecord, len(h.Tensors))
	names := make(map[string]bool, len(h.Tensors))
	for _, t := range h.Tensors {
		names[t.Name] = true
	}
	for i, t := range h.Tensors {
		p := planTensor(t, scheme)
		plans[i] = p
		specs = append(specs, p.out)
		records[t.Name] = p.rec
		if p.scales > 0 {
			if names[t.Name+scaleSuffix] {
				return nil, nil, nil, valueErrorf("tensor %q already exists, so the scales of %q cannot be stored under that name", t.Name+scaleSuffix, t.Name)
			}
			names[t.Name+scaleSuffix] = true
			specs = append(specs, safetensors.Spec{Name: t.Name + scaleSuffix, DType: safetensors.F32, Shape: []int64{int64(p.scales)}})
		}
	}
	return plans, specs, records, nil
}

// modelQuantizer carries the state of one quantizeModelFile call: the mapped source, the output
// writer, buffers reused from tensor to tensor, and progress.
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
		return errCancelled
	}
	t := p.src
	raw := q.data[t.Offset : t.Offset+t.Length]
	if p.rec.Method == methodCopy {
		if err := q.w.Write(t.Name, raw); err != nil {
			return fileFormatError(err)
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
			return errCancelled
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
		return fileFormatError(err)
	}
	if p.scales > 0 {
		if err := q.w.Write(t.Name+scaleSuffix, float32Bytes(scales)); err != nil {
			return fileFormatError(err)
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
	case schemeInt8:
		unit = n / int(p.src.Shape[0])
	case schemeInt4:
		unit = int4GroupSize
	case schemeQ8_0, schemeQ4_0:
		unit = int(p.src.Shape[len(p.src.Shape)-1])
	}
	unit = max(unit, 1)
	return max(1, chunkElems/unit) * unit
}

// quantizeChunk quantizes values [lo, hi) of p's tensor, given as vals, into its output.
func (q *modelQuantizer) quantizeChunk(p *tensorPlan, out []byte, scales []float32, vals []float32, lo, hi int) error {
	switch p.rec.Method {
	case schemeInt8:
		inner := elementCount(p.src.Shape) / int(p.src.Shape[0])
		r0, r1 := lo/inner, hi/inner
		return quant.SymmetricInt8(int8View(out[lo:hi]), scales[r0:r1], vals, 1, r1-r0, inner)
	case schemeInt4:
		return quant.Int4(out[lo/2:(hi+1)/2], scales[lo/int4GroupSize:(hi+int4GroupSize-1)/int4GroupSize], vals, int4GroupSize)
	case schemeFP16:
		return quant.FP16(uint16View(out[2*lo:2*hi]), vals)
	case schemeQ8_0, schemeQ4_0:
		k := ggufKind(p.rec.Method)
		b0, _ := k.BytesFor(lo)
		b1, _ := k.BytesFor(hi)
		return quant.QuantizeGGUF(out[b0:b1], vals, int(p.src.Shape[len(p.src.Shape)-1]), k)
	}
	return withCode(codeInternal, fmt.Errorf("no quantizer for method %q", p.rec.Method))
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

// grow returns b with length n, reusing its memory when large enough.
func grow(b []byte, n int) []byte {
	if cap(b) < n {
		return make([]byte, n)
	}
	return b[:n]
}

// growF32 returns f with length n, reusing its memory when large enough.
func growF32(f []float32, n int) []float32 {
	if cap(f) < n {
		return make([]float32, n)
	}
	return f[:n]
}

// decodeFloats converts raw, little-endian values of dtype dt, to float32. Aligned F32 data is
// returned as a view of raw (no copy); anything else is converted into *buf, grown as needed.
func decodeFloats(buf *[]float32, raw []byte, dt safetensors.DType) []float32 {
	if dt == safetensors.F32 && aligned(raw, 4) {
		return float32View(raw)
	}
	n := len(raw) / dt.Size()
	*buf = growF32(*buf, n)
	dst := (*buf)[:n]
	switch dt {
	case safetensors.F32:
		for i := range dst {
			dst[i] = math.Float32frombits(binary.LittleEndian.Uint32(raw[4*i:]))
		}
	case safetensors.F16:
		if aligned(raw, 2) {
			_ = quant.FP16ToF32(dst, uint16View(raw))
			break
		}
		for i := range dst {
			dst[i] = halfToFloat32(binary.LittleEndian.Uint16(raw[2*i:]))
		}
	case safetensors.BF16:
		for i := range dst {
			dst[i] = math.Float32frombits(uint32(binary.LittleEndian.Uint16(raw[2*i:])) << 16)
		}
	case safetensors.F64:
		for i := range dst {
			dst[i] = float32(math.Float64frombits(binary.LittleEndian.Uint64(raw[8*i:])))
		}
	}
	return dst
}

// halfToFloat32 widens one IEEE half (exactly), for the rare unaligned F16 tensor.
func halfToFloat32(h uint16) float32 {
	var out [1]float32
	_ = quant.FP16ToF32(out[:], []uint16{h})
	return out[0]
}

// tensorError names the tensor (and the value's index in it) in a quantization error.
func tensorError(name string, offset int, err error) error {
	var nf *quant.NonFiniteError
	if errors.As(err, &nf) {
		return valueErrorf("tensor %q: non-finite value %v at flat index %d; cannot quantize it", name, nf.Value, offset+nf.Index)
	}
	if errors.Is(err, errCancelled) {
		return err
	}
	return withCode(codeValue, fmt.Errorf("tensor %q: %w", name, quantError(err)))
}

// QuantizeModelFileJob prepares a Job (started by Job.Run) that quantizes the .safetensors model
// src into dst by scheme ("int8" per-channel symmetric along axis 0, "int4" groups of 32, "fp16",
// "q8_0" or "q4_0"): every floating tensor (F32, F16, BF16, F64) with two or more dimensions and at
// least one value is quantized (GGUF schemes copy a tensor whose last axis is not a multiple of
// 32), scales go to F32 tensors named "<name>.scale", everything else is copied byte for byte, and
// __metadata__ keeps the source's entries and adds "jrx.format", "jrx.scheme" and "jrx.tensors" (a
// JSON object: per source tensor its dtype, shape, method and, for copies of floating tensors, the
// reason).
//
// The source is read through a memory map whose pages are released as the job moves on, so peak
// memory is about the largest output tensor, not the model. dst is written atomically. Job.Total
// is the source's tensor data in bytes; Job.Result is {"scheme", "tensors", "quantized", "copied",
// "bytes_in", "bytes_out"}. A bad scheme or an unreadable src fails here; a malformed model, NaN or
// infinity in a tensor being quantized, or an already quantized model fails the job with a
// ValueError-coded error naming the tensor.
func QuantizeModelFileJob(src, dst, scheme string) (_ *Job, err error) {
	defer recoverPanic(&err)
	if err := checkScheme(scheme); err != nil {
		return nil, err
	}
	if src, dst, err = decodePaths(src, dst); err != nil {
		return nil, err
	}
	size, err := inputSize(src)
	if err != nil {
		return nil, err
	}
	return newJob(size, func(ctx context.Context, j *Job) (string, error) {
		stats, err := quantizeModelFile(ctx, src, dst, scheme, nil, j.progress)
		if err != nil {
			return "", err
		}
		return marshalResult(stats)
	}), nil
}

// marshalResult renders a job result as JSON.
func marshalResult(v any) (string, error) {
	out, err := json.Marshal(v)
	if err != nil {
		return "", withCode(codeInternal, err)
	}
	return string(out), nil
}
