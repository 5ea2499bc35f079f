package decode

import "strconv"

// Generic formatters, one per kind of value, all append-style.

const hexDigits = "0123456789abcdef"

// appendHex appends v as C's "%#x": "0" for zero, "0x..." otherwise.
func appendHex(b []byte, v uint64) []byte {
	if v == 0 {
		return append(b, '0')
	}
	b = append(b, '0', 'x')
	return strconv.AppendUint(b, v, 16)
}

// appendHex0 appends v as C's "%#0*x" with the given width (strace's
// PRINT_VAL_0X): zero is width zeros, otherwise "0x" and zero-padded digits.
func appendHex0(b []byte, v uint64, width int) []byte {
	if v == 0 {
		for i := 0; i < width; i++ {
			b = append(b, '0')
		}
		return b
	}
	b = append(b, '0', 'x')
	n := 0
	for x := v; x != 0; x >>= 4 {
		n++
	}
	for i := n + 2; i < width; i++ {
		b = append(b, '0')
	}
	return strconv.AppendUint(b, v, 16)
}

// appendAddr appends a pointer as strace's printaddr: NULL or hex.
func appendAddr(b []byte, v uint64) []byte {
	if v == 0 {
		return append(b, "NULL"...)
	}
	return appendHex(b, v)
}

func appendUint(b []byte, v uint64) []byte { return strconv.AppendUint(b, v, 10) }
func appendInt(b []byte, v int64) []byte   { return strconv.AppendInt(b, v, 10) }

// appendComment appends " /* s */".
func appendComment(b []byte, s string) []byte {
	b = append(b, " /* "...)
	b = append(b, s...)
	return append(b, " */"...)
}

// xlat is one {value, name} pair of a flag or value table.
type xlat struct {
	val  uint64
	name string
}

// ConstStyle is how named constants and flags print: strace's -X (--const-print-style).
type ConstStyle uint8

const (
	ConstAbbrev  ConstStyle = iota // the names: PROT_READ|PROT_WRITE (strace's default)
	ConstRaw                       // the number alone: 0x3
	ConstVerbose                   // both: 0x3 /* PROT_READ|PROT_WRITE */
)

// appendFlags appends v as strace's printflags64 in style st. Abbreviated: the names of the
// known bits in table order joined by '|', unknown bits as "|0x..."; a value with no known
// bit prints "0x... /* dflt */"; zero prints the table's zero name or "0". Raw: the value in
// hex. Verbose: the value in hex, then what abbrev prints in a comment (an unknown value's
// comment is dflt alone). With dflt == "" no dflt comment is printed.
func appendFlags(b []byte, tbl []xlat, v uint64, dflt string, st ConstStyle) []byte {
	if st == ConstRaw {
		return appendHex(b, v)
	}
	if v == 0 {
		for i := range tbl {
			if tbl[i].val == 0 {
				if st == ConstVerbose {
					return appendComment(append(b, '0'), tbl[i].name)
				}
				return append(b, tbl[i].name...)
			}
		}
		return append(b, '0')
	}
	if st == ConstVerbose {
		b = appendHex(b, v)
	}
	unnamed := len(b)
	n := 0
	for i := range tbl {
		x := tbl[i].val
		if x != 0 && v&x == x {
			switch {
			case n > 0:
				b = append(b, '|')
			case st == ConstVerbose:
				b = append(b, " /* "...)
			}
			b = append(b, tbl[i].name...)
			n++
			v &^= x
			if v == 0 {
				break
			}
		}
	}
	if n > 0 {
		if v != 0 {
			b = append(b, '|')
			b = appendHex(b, v)
		}
		if st == ConstVerbose {
			b = append(b, " */"...)
		}
		return b
	}
	b = b[:unnamed]
	if st != ConstVerbose {
		b = appendHex(b, v)
	}
	if dflt != "" {
		b = appendComment(b, dflt)
	}
	return b
}

// lookupXlat returns the name of v in tbl, or "".
func lookupXlat(tbl []xlat, v uint64) string {
	for i := range tbl {
		if tbl[i].val == v {
			return tbl[i].name
		}
	}
	return ""
}

// appendXval appends v as strace's printxval in style st: its name (raw: the value in hex;
// verbose: the value and the name in a comment), or "0x... /* dflt */" when it has none.
func appendXval(b []byte, tbl []xlat, v uint64, dflt string, st ConstStyle) []byte {
	var num [18]byte
	return appendNamed(b, appendHex(num[:0], v), lookupXlat(tbl, v), dflt, st)
}

// appendNamed appends a constant whose number is printed as num and whose name is name ("" if
// it has none) in style st, as strace's printxval: a constant without a name prints its
// number and dflt in a comment (if dflt is not ""), except in raw style.
func appendNamed(b, num []byte, name, dflt string, st ConstStyle) []byte {
	switch {
	case st == ConstRaw || name == "" && dflt == "":
		return append(b, num...)
	case name == "":
		return appendComment(append(b, num...), dflt)
	case st == ConstVerbose:
		return appendComment(append(b, num...), name)
	}
	return append(b, name...)
}

// appendQuoted appends s quoted and escaped as strace's string_quote does
// (without the surrounding quotes when bare is set); extra lists further
// bytes to escape as octal.
func appendQuoted(b []byte, s []byte, bare bool, extra string) []byte {
	if !bare {
		b = append(b, '"')
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '"', '\\':
			b = append(b, '\\', c)
			continue
		case '\f':
			b = append(b, '\\', 'f')
			continue
		case '\n':
			b = append(b, '\\', 'n')
			continue
		case '\r':
			b = append(b, '\\', 'r')
			continue
		case '\t':
			b = append(b, '\\', 't')
			continue
		case '\v':
			b = append(b, '\\', 'v')
			continue
		}
		esc := c < ' ' || c > 0x7e
		if !esc {
			for j := 0; j < len(extra); j++ {
				if extra[j] == c {
					esc = true
					break
				}
			}
		}
		if !esc {
			b = append(b, c)
			continue
		}
		b = append(b, '\\')
		if i+1 < len(s) && s[i+1] >= '0' && s[i+1] <= '7' {
			b = append(b, '0'+c>>6, '0'+(c>>3)&7)
		} else if c>>3 != 0 {
			if c>>6 != 0 {
				b = append(b, '0'+c>>6)
			}
			b = append(b, '0'+(c>>3)&7)
		}
		b = append(b, '0'+c&7)
	}
	if !bare {
		b = append(b, '"')
	}
	return b
}
