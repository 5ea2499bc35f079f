package procmaps

import (
	"bytes"
	"io"
	"strings"
)

// Usage is the memory of one smaps entry, or the sums of smaps_rollup. Sizes are in bytes
// (the kernel prints kB). Fields a kernel does not print stay zero.
type Usage struct {
	Size           uint64
	KernelPageSize uint64
	MMUPageSize    uint64
	Rss            uint64
	Pss            uint64
	PssDirty       uint64
	PssAnon        uint64 // smaps_rollup only
	PssFile        uint64 // smaps_rollup only
	PssShmem       uint64 // smaps_rollup only
	SharedClean    uint64
	SharedDirty    uint64
	PrivateClean   uint64
	PrivateDirty   uint64
	Referenced     uint64
	Anonymous      uint64
	KSM            uint64
	LazyFree       uint64
	AnonHugePages  uint64
	ShmemPmdMapped uint64
	FilePmdMapped  uint64
	SharedHugetlb  uint64
	PrivateHugetlb uint64
	Swap           uint64
	SwapPss        uint64
	Locked         uint64

	THPEligible   bool // THPeligible: 1
	ProtectionKey int  // ProtectionKey, on machines with memory protection keys

	// VMFlags is the VmFlags line as the kernel wrote it: two-letter flags separated by
	// spaces, such as "rd wr mr mw me ac sd".
	VMFlags string

	// Other holds the lines this package does not know, so that nothing a newer kernel
	// adds is lost.
	Other []Field
}

// Field is one "Key: value" line of smaps that Usage has no field for.
type Field struct {
	Key   string `json:"key"`
	Value uint64 `json:"value"` // in bytes when Bytes, else the number as printed
	Bytes bool   `json:"bytes"` // the kernel printed "kB"
}

// Dirty is the memory written to and not yet cleaned: shared plus private dirty pages, the
// "Dirty" column of pmap -x.
func (u *Usage) Dirty() uint64 { return u.SharedDirty + u.PrivateDirty }

// HasFlag reports whether VmFlags holds the two-letter flag f, e.g. "ht" or "sh".
func (u *Usage) HasFlag(f string) bool {
	s := u.VMFlags
	for s != "" {
		var word string
		word, s, _ = strings.Cut(s, " ")
		if word == f {
			return true
		}
	}
	return false
}

// Add adds the sizes of v to u (not the page sizes, flags or unknown fields).
func (u *Usage) Add(v *Usage) {
	u.Size += v.Size
	u.Rss += v.Rss
	u.Pss += v.Pss
	u.PssDirty += v.PssDirty
	u.PssAnon += v.PssAnon
	u.PssFile += v.PssFile
	u.PssShmem += v.PssShmem
	u.SharedClean += v.SharedClean
	u.SharedDirty += v.SharedDirty
	u.PrivateClean += v.PrivateClean
	u.PrivateDirty += v.PrivateDirty
	u.Referenced += v.Referenced
	u.Anonymous += v.Anonymous
	u.KSM += v.KSM
	u.LazyFree += v.LazyFree
	u.AnonHugePages += v.AnonHugePages
	u.ShmemPmdMapped += v.ShmemPmdMapped
	u.FilePmdMapped += v.FilePmdMapped
	u.SharedHugetlb += v.SharedHugetlb
	u.PrivateHugetlb += v.PrivateHugetlb
	u.Swap += v.Swap
	u.SwapPss += v.SwapPss
	u.Locked += v.Locked
}

// hugetlb reports whether the region is backed by hugetlbfs pages. Transparent huge pages
// do not count: they leave KernelPageSize at the base page size.
func (u *Usage) hugetlb() bool {
	if u.VMFlags != "" {
		return u.HasFlag("ht")
	}
	return u.KernelPageSize > 64<<10
}

// sizeField returns the field of u that holds the kB line key, or nil.
func (u *Usage) sizeField(key []byte) *uint64 {
	switch string(key) { // compiled to a comparison, no allocation
	case "Size":
		return &u.Size
	case "KernelPageSize":
		return &u.KernelPageSize
	case "MMUPageSize":
		return &u.MMUPageSize
	case "Rss":
		return &u.Rss
	case "Pss":
		return &u.Pss
	case "Pss_Dirty":
		return &u.PssDirty
	case "Pss_Anon":
		return &u.PssAnon
	case "Pss_File":
		return &u.PssFile
	case "Pss_Shmem":
		return &u.PssShmem
	case "Shared_Clean":
		return &u.SharedClean
	case "Shared_Dirty":
		return &u.SharedDirty
	case "Private_Clean":
		return &u.PrivateClean
	case "Private_Dirty":
		return &u.PrivateDirty
	case "Referenced":
		return &u.Referenced
	case "Anonymous":
		return &u.Anonymous
	case "KSM":
		return &u.KSM
	case "LazyFree":
		return &u.LazyFree
	case "AnonHugePages":
		return &u.AnonHugePages
	case "ShmemPmdMapped":
		return &u.ShmemPmdMapped
	case "FilePmdMapped":
		return &u.FilePmdMapped
	case "Shared_Hugetlb":
		return &u.SharedHugetlb
	case "Private_Hugetlb":
		return &u.PrivateHugetlb
	case "Swap":
		return &u.Swap
	case "SwapPss":
		return &u.SwapPss
	case "Locked":
		return &u.Locked
	}
	return nil
}

// parseField parses one "Key: value" line into u. It returns what is wrong, or "".
func (u *Usage) parseField(line []byte, names interner) string {
	colon := bytes.IndexByte(line, ':')
	if colon <= 0 {
		return "want \"Key: value\""
	}
	key, val := line[:colon], line[colon+1:]
	if string(key) == "VmFlags" {
		u.VMFlags = names.intern(bytes.TrimSpace(val))
		return ""
	}
	p := lineParser{b: val}
	for p.i < len(val) && val[p.i] == ' ' {
		p.i++
	}
	n, ok := p.dec()
	if !ok {
		return "bad number"
	}
	unit := bytes.TrimSpace(val[p.i:])
	kB := false
	switch {
	case len(unit) == 0:
	case string(unit) == "kB":
		if n > (1<<64-1)>>10 {
			return "number too large"
		}
		kB = true
	default:
		return "want a number of kB"
	}
	if kB {
		if f := u.sizeField(key); f != nil {
			*f = n << 10
			return ""
		}
	} else {
		switch string(key) {
		case "THPeligible":
			u.THPEligible = n != 0
			return ""
		case "ProtectionKey":
			u.ProtectionKey = int(n)
			return ""
		}
	}
	u.Other = append(u.Other, Field{Key: names.intern(key), Value: valueBytes(n, kB), Bytes: kB})
	return ""
}

func valueBytes(n uint64, kB bool) uint64 {
	if kB {
		return n << 10
	}
	return n
}

// isHeader tells a region's first line from a "Key: value" line: the first has a '-'
// (between the addresses) before any ':' or space, the second a ':'.
func isHeader(line []byte) bool {
	for _, c := range line {
		switch c {
		case '-':
			return true
		case ':', ' ':
			return false
		}
	}
	return false
}

// ParseSmaps parses the text of /proc/PID/smaps: regions with their Usage. Like ParseMaps
// it leaves classification to Regions.Classify.
func ParseSmaps(r io.Reader) (Regions, error) {
	lr := newLineReader(r)
	names := interner{}
	var b regionBuilder
	var slab []Usage // Usages are carved from slabs: one allocation per 1024 regions
	var usage *Usage
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		if len(line) == 0 {
			continue
		}
		if isHeader(line) {
			reg := b.next()
			if msg := parseHeader(line, reg, names); msg != "" {
				return nil, parseError(lr.line, line, msg)
			}
			if msg := checkOrder(&b); msg != "" {
				return nil, parseError(lr.line, line, msg)
			}
			if len(slab) == 0 {
				slab = make([]Usage, 1024)
			}
			usage, slab = &slab[0], slab[1:]
			reg.Usage = usage
			continue
		}
		if usage == nil {
			return nil, parseError(lr.line, line, "field before the first region")
		}
		if msg := usage.parseField(line, names); msg != "" {
			return nil, parseError(lr.line, line, msg)
		}
	}
	if err := lr.readErr(); err != nil {
		return nil, err
	}
	return b.regions(), nil
}

// ParseRollup parses the text of /proc/PID/smaps_rollup: one header line for the whole
// address space, then the sums of every smaps field plus Pss_Anon, Pss_File and Pss_Shmem.
func ParseRollup(r io.Reader) (Usage, error) {
	lr := newLineReader(r)
	names := interner{}
	var u Usage
	header := false
	for {
		line, ok := lr.next()
		if !ok {
			break
		}
		if len(line) == 0 {
			continue
		}
		if isHeader(line) {
			if header {
				return Usage{}, parseError(lr.line, line, "second header line in smaps_rollup")
			}
			var reg Region
			if msg := parseHeader(line, &reg, names); msg != "" {
				return Usage{}, parseError(lr.line, line, msg)
			}
			header = true
			continue
		}
		if !header {
			return Usage{}, parseError(lr.line, line, "field before the [rollup] line")
		}
		if msg := u.parseField(line, names); msg != "" {
			return Usage{}, parseError(lr.line, line, msg)
		}
	}
	if err := lr.readErr(); err != nil {
		return Usage{}, err
	}
	return u, nil
}
