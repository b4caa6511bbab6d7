package quant_test

import (
	"errors"
	"fmt"

	"github.com/jarvis/jarvis_rust_extensions/jarvisrs/quant"
)

func ExampleOriginalInt8() {
	x := []float32{-1, 0, 126.5, 254}
	q := make([]int8, len(x))
	p, err := quant.OriginalInt8(q, x)
	fmt.Println(q, p.Scale, p.ZeroPoint, p.Min, p.Max, err)
	// Output: [-128 -127 0 127] 1 1 -1 254 <nil>
}

func ExampleSymmetricInt8() {
	// A 2x3 weight matrix, one scale per row (axis 0): outer 1, channels 2, inner 3.
	w := []float32{
		1.27, -0.5, 0,
		-254, 127, 63.5,
	}
	q := make([]int8, len(w))
	scales := make([]float32, 2)
	if err := quant.SymmetricInt8(q, scales, w, 1, 2, 3); err != nil {
		panic(err)
	}
	fmt.Println(q, scales)

	back := make([]float32, len(w))
	if err := quant.DequantizeInt8(back, q, scales, nil, 1, 2, 3); err != nil {
		panic(err)
	}
	fmt.Println(back)
	// Output:
	// [127 -50 0 -127 64 32] [0.01 2]
	// [1.27 -0.5 0 -254 128 64]
}

func ExampleInt4() {
	x := []float32{7, -3.5, 0, 0, 14, 1}
	packed := make([]uint8, 3)
	scales := make([]float32, 3)
	if err := quant.Int4(packed, scales, x, 2); err != nil {
		panic(err)
	}
	fmt.Printf("% x %v\n", packed, scales)
	// Output: c7 00 17 [1 0 2]
}

func ExampleQuantizeGGUF() {
	kind, _ := quant.ParseGGUFKind("q8_0")
	x := make([]float32, 64) // two rows of 32
	for i := range x {
		x[i] = float32(i%32) - 16
	}
	size, _ := kind.BytesFor(len(x))
	data := make([]byte, size)
	if err := quant.QuantizeGGUF(data, x, 32, kind); err != nil {
		panic(err)
	}
	back := make([]float32, len(x))
	if err := quant.DequantizeGGUF(back, data, 32, kind); err != nil {
		panic(err)
	}
	fmt.Println(kind, size, back[0], back[31])
	// Output: Q8_0 68 -15.999023 14.991211
}

func ExampleNonFiniteError() {
	var nan float32
	nan = nan / nan
	_, err := quant.OriginalInt8(make([]int8, 3), []float32{1, nan, 2})
	var nf *quant.NonFiniteError
	fmt.Println(errors.Is(err, quant.ErrNonFinite), errors.As(err, &nf), nf.Index)
	// Output: true true 1
}
