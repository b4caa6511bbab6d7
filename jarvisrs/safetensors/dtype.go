package safetensors

// DType is a safetensors element type, spelled as in the file header ("F32", "BF16", ...).
// Values are little-endian in the file.
type DType string

// The element types this package reads and writes.
const (
	F64  DType = "F64"
	F32  DType = "F32"
	F16  DType = "F16"
	BF16 DType = "BF16"
	I64  DType = "I64"
	I32  DType = "I32"
	I16  DType = "I16"
	I8   DType = "I8"
	U64  DType = "U64"
	U32  DType = "U32"
	U16  DType = "U16"
	U8   DType = "U8"
	BOOL DType = "BOOL"
)

// dtypeInfo holds an element size in bytes and the dtype's position in the reference crate's
// Dtype enum, which is declared in increasing alignment order; the reference writer lays tensors
// out by descending rank, and the Writer copies that to produce identical files.
type dtypeInfo struct {
	size int
	rank int
}

var dtypes = map[DType]dtypeInfo{
	BOOL: {1, 0},
	U8:   {1, 1},
	I8:   {1, 2},
	I16:  {2, 3},
	U16:  {2, 4},
	F16:  {2, 5},
	BF16: {2, 6},
	I32:  {4, 7},
	U32:  {4, 8},
	F32:  {4, 9},
	F64:  {8, 10},
	I64:  {8, 11},
	U64:  {8, 12},
}

// dtypeNames maps header spellings to DType values, so a name read from a header becomes a
// DType without allocating.
var dtypeNames = func() map[string]DType {
	m := make(map[string]DType, len(dtypes))
	for d := range dtypes {
		m[string(d)] = d
	}
	return m
}()

// knownUnsupported lists dtypes the reference format defines but this package does not handle,
// so such files get ErrUnsupported rather than ErrMalformed.
var knownUnsupported = map[DType]bool{
	"F4": true, "F6_E2M3": true, "F6_E3M2": true,
	"F8_E5M2": true, "F8_E4M3": true, "F8_E8M0": true, "F8_E4M3FNUZ": true, "F8_E5M2FNUZ": true,
	"C64": true,
}

// Size returns the size of one element in bytes, or 0 if d is not a dtype this package supports.
func (d DType) Size() int {
	return dtypes[d].size
}

// Valid reports whether d is a dtype this package supports.
func (d DType) Valid() bool {
	_, ok := dtypes[d]
	return ok
}
