package modelquant

import (
	"fmt"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/safetensors"
)

// Names of the quantization schemes, as the Python API spells them.
const (
	SchemeInt8 = "int8" // per-channel symmetric INT8 along axis 0
	SchemeInt4 = "int4" // INT4 in groups of 32 consecutive values
	SchemeFP16 = "fp16" // IEEE half precision
	SchemeQ8_0 = "q8_0" // GGUF Q8_0 blocks
	SchemeQ4_0 = "q4_0" // GGUF Q4_0 blocks
	methodCopy = "copy" // a tensor stored as it was
)

// Keys of the output's __metadata__. MetaFormat marks a file Quantize wrote (its value is
// MetaFormatValue), MetaScheme names the scheme, MetaTensors holds the per-tensor records (a JSON
// object keyed by tensor name).
const (
	MetaFormat      = "jrx.format"
	MetaFormatValue = "jarvis-quantized-safetensors/1"
	MetaScheme      = "jrx.scheme"
	MetaTensors     = "jrx.tensors"
)

// int4GroupSize is the INT4 scheme's group: 32 consecutive values of the flattened tensor.
const int4GroupSize = 32

// scaleSuffix names the tensor holding a quantized tensor's scales.
const scaleSuffix = ".scale"

// tensorRecord says what was done to one source tensor; the records are stored, as JSON, in the
// output's __metadata__ under MetaTensors so the file can be read back into the original shapes.
type tensorRecord struct {
	DType     string  `json:"dtype"`  // source dtype
	Shape     []int64 `json:"shape"`  // source shape
	Method    string  `json:"method"` // a scheme name, or "copy"
	Axis      *int    `json:"axis,omitempty"`
	GroupSize int     `json:"group_size,omitempty"`
	Reason    string  `json:"reason,omitempty"` // why a floating tensor was copied
}

// tensorPlan is the work for one source tensor.
type tensorPlan struct {
	src    safetensors.Tensor
	rec    tensorRecord
	out    safetensors.Spec // the tensor itself (quantized or copied)
	scales int              // number of float32 scales, stored as <name>.scale, or 0
}

// CheckScheme validates a scheme name; an unknown one gives an ErrInvalid error.
func CheckScheme(scheme string) error {
	switch scheme {
	case SchemeInt8, SchemeInt4, SchemeFP16, SchemeQ8_0, SchemeQ4_0:
		return nil
	}
	return invalidf("scheme must be one of int8, int4, fp16, q8_0, q4_0; got %q", scheme)
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
	case SchemeInt8:
		axis := 0
		p.rec.Axis = &axis
		p.out = safetensors.Spec{Name: t.Name, DType: safetensors.I8, Shape: t.Shape}
		p.scales = int(t.Shape[0])
	case SchemeInt4:
		p.rec.GroupSize = int4GroupSize
		p.out = safetensors.Spec{Name: t.Name, DType: safetensors.U8, Shape: []int64{int64((n + 1) / 2)}}
		p.scales = (n + int4GroupSize - 1) / int4GroupSize
	case SchemeFP16:
		p.out = safetensors.Spec{Name: t.Name, DType: safetensors.F16, Shape: t.Shape}
	case SchemeQ8_0, SchemeQ4_0:
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
	if scheme == SchemeQ4_0 {
		return quant.Q4_0
	}
	return quant.Q8_0
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
				return nil, nil, nil, invalidf("tensor %q already exists, so the scales of %q cannot be stored under that name", t.Name+scaleSuffix, t.Name)
			}
			names[t.Name+scaleSuffix] = true
			specs = append(specs, safetensors.Spec{Name: t.Name + scaleSuffix, DType: safetensors.F32, Shape: []int64{int64(p.scales)}})
		}
	}
	return plans, specs, records, nil
}
