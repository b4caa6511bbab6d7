package npy

import "fmt"

// itemSizes maps the canonical descr of every supported dtype (numpy's dtype.str) to its size in
// bytes. Multi-byte types must be little-endian; single-byte ones carry numpy's '|'.
var itemSizes = map[string]int{
	"|b1": 1, "|i1": 1, "|u1": 1,
	"<i2": 2, "<u2": 2, "<f2": 2,
	"<i4": 4, "<u4": 4, "<f4": 4,
	"<i8": 8, "<u8": 8, "<f8": 8,
	"<c8": 8, "<c16": 16,
}

// canonicalDescr checks a descr string and returns numpy's canonical spelling with its item
// size. Byte order does not exist for one-byte types, so any order character is accepted there
// ('<i1' and '|i1' are the same dtype to numpy) and reported as '|'.
func canonicalDescr(descr string) (string, int, error) {
	if descr == "O" || len(descr) == 2 && descr[1] == 'O' {
		return "", 0, fmt.Errorf("%w: object dtype %q (needs pickle)", ErrUnsupported, descr)
	}
	if len(descr) >= 2 {
		order, kind := descr[0], descr[1:]
		if size, ok := itemSizes["|"+kind]; ok && (order == '<' || order == '>' || order == '=' || order == '|') {
			return "|" + kind, size, nil
		}
		if _, ok := itemSizes["<"+kind]; ok {
			switch order {
			case '<':
				return descr, itemSizes[descr], nil
			case '>':
				return "", 0, fmt.Errorf("%w: big-endian dtype %q; byteswap it first (arr.astype(arr.dtype.newbyteorder('<')))", ErrUnsupported, descr)
			default:
				return "", 0, fmt.Errorf("%w: dtype %q has no explicit little-endian byte order", ErrUnsupported, descr)
			}
		}
	}
	return "", 0, fmt.Errorf("%w: dtype %s is not a supported numeric dtype", ErrUnsupported, quoteShort(descr))
}
