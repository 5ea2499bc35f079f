package decode

// The calls whose arguments are each printed on their own, with no argument depending on
// another or on the tracee's memory, are described here as data: one argFormat per argument.
// One function prints them all. Calls that read memory or whose arguments depend on each
// other (mmap, mremap, clone, execve, ...) have decoders of their own in syscall.go.

// argKind is how one argument is printed.
type argKind uint8

const (
	argAddr      argKind = iota // an address: hex, or NULL
	argUint                     // an unsigned size or count, decimal
	argInt                      // an int (32 bits), signed decimal
	argHex                      // hex
	argProt                     // PROT_* flags, from the architecture's table
	argMmapFlags                // MAP_* flags, as mmap prints them
	argFlags                    // flags from table; unknown bits as |0x...
	argValue                    // one value (an int) from table; unknown as 0x... /* X_??? */
)

// argFormat describes one argument: its kind and, for flags and values, the table and what
// strace prints for an unknown value.
type argFormat struct {
	kind    argKind
	table   []xlat
	unknown string
}

var (
	addr = argFormat{kind: argAddr}
	size = argFormat{kind: argUint}
	prot = argFormat{kind: argProt}
)

// argFormats is each simple decoder's arguments, in order.
var argFormats = [...][]argFormat{
	dAddr:                 {addr},
	dAddrLen:              {addr, size},
	dMprotect:             {addr, size, prot},
	dPkeyMprotect:         {addr, size, prot, {kind: argInt}},
	dMsync:                {addr, size, {argFlags, msyncFlags, "MS_???"}},
	dMadvise:              {addr, size, {argValue, madviseAdvice, "MADV_???"}},
	dMlock2:               {addr, size, {argFlags, mlock2Flags, "MLOCK_???"}},
	dMlockall:             {{argFlags, mlockallFlags, "MCL_???"}},
	dRemapFilePages:       {addr, size, prot, size, {kind: argMmapFlags}},
	dShmat:                {{kind: argInt}, addr, {argFlags, shmatFlags, "SHM_???"}},
	dSetMempolicyHomeNode: {addr, size, size, {kind: argHex}},
}

// appendArgFormats prints arguments described by formats, separated by ", ".
func appendArgFormats(b []byte, c *call, formats []argFormat) []byte {
	for i, f := range formats {
		if i > 0 {
			b = append(b, ", "...)
		}
		v := c.a[i]
		switch f.kind {
		case argAddr:
			b = appendAddr(b, v)
		case argUint:
			b = appendUint(b, v)
		case argInt:
			b = appendInt(b, c.signed(i))
		case argHex:
			b = appendHex(b, v)
		case argProt:
			b = appendFlags(b, c.protTable(), v, "PROT_???", c.o.style())
		case argMmapFlags:
			b = appendMmapFlags(b, c, v)
		case argFlags:
			b = appendFlags(b, f.table, v, f.unknown, c.o.style())
		case argValue:
			b = appendXval(b, f.table, v, f.unknown, c.o.style())
		}
	}
	return b
}
