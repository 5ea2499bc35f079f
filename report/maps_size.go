package report

import (
	"math/bits"
	"strconv"
)

// MapsSize formats a size in bytes the way ls -h and pmap users read them: powers of 1024,
// one decimal below 10 ("4.0K", "1.2M"), whole numbers above ("132K"), rounded up like ls
// so that a non-zero size never shows as zero. exact gives the number of bytes.
func MapsSize(n uint64, exact bool) string {
	var b [24]byte
	return string(appendMapsSize(b[:0], n, exact))
}

// appendMapsSize appends MapsSize(n, exact) to d without allocating.
func appendMapsSize(d []byte, n uint64, exact bool) []byte {
	if exact || n < 1024 {
		return strconv.AppendUint(d, n, 10)
	}
	const units = "KMGTPE"
	u := 0
	for u < len(units)-1 && n>>(10*(u+1)) >= 1024 {
		u++
	}
	shift := uint(10 * (u + 1)) // n>>shift is in [1, 1024)
	if n>>shift < 10 {
		// Tenths of the unit, rounded up: ceil(n*10 / 2^shift), in 128 bits.
		hi, lo := bits.Mul64(n, 10)
		q := hi<<(64-shift) | lo>>shift
		if lo&(1<<shift-1) != 0 {
			q++
		}
		if q < 100 {
			return append(d, byte('0'+q/10), '.', byte('0'+q%10), units[u])
		}
		// 9.95 and up round to 10: whole numbers from here.
	}
	whole := n >> shift
	if n&(1<<shift-1) != 0 {
		whole++
	}
	if whole >= 1024 && u < len(units)-1 {
		return append(d, '1', '.', '0', units[u+1])
	}
	return append(strconv.AppendUint(d, whole, 10), units[u])
}
