package decode

import (
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// Set is a set of system calls, as chosen by strace's -e trace=EXPR,
// resolved for every architecture.
type Set struct {
	bits [numArch][]uint64 // indexed by number (x32 without its bit)
}

// ErrUnknownSyscall is wrapped by ParseSet's error for a name no
// architecture has; ErrNotTraced for a real call outside what mmtrace
// decodes.
var (
	ErrUnknownSyscall = errors.New("invalid system call")
	ErrNotTraced      = errors.New("not traced by mmtrace")
)

func newSet() *Set {
	ensureTables()
	s := &Set{}
	for a := ArchX86_64; a < numArch; a++ {
		s.bits[a] = make([]uint64, (len(tables[a])+63)/64)
	}
	return s
}

func (s *Set) add(sc *Syscall) {
	nr := sc.Nr &^ x32BitNr
	if sc.arch != ArchX32 {
		nr = sc.Nr
	}
	s.bits[sc.arch][nr/64] |= 1 << (nr % 64)
}

// addFunc adds every decoded call, of every architecture, that keep
// accepts.
func (s *Set) addFunc(keep func(*Syscall) bool) {
	for a := ArchX86_64; a < numArch; a++ {
		for _, sc := range tables[a] {
			if sc != nil && keep(sc) {
				s.add(sc)
			}
		}
	}
}

// Has reports whether call nr of architecture a is in the set.
func (s *Set) Has(a Arch, nr uint64) bool {
	if s == nil || a >= numArch {
		return false
	}
	if a == ArchX32 {
		nr &^= x32BitNr
	}
	bits := s.bits[a]
	if nr/64 >= uint64(len(bits)) {
		return false
	}
	return bits[nr/64]&(1<<(nr%64)) != 0
}

// Numbers returns the numbers of the set's calls of architecture a,
// sorted. x32 numbers carry __X32_SYSCALL_BIT.
func (s *Set) Numbers(a Arch) []uint64 {
	if s == nil || a >= numArch {
		return nil
	}
	var out []uint64
	for i, w := range s.bits[a] {
		for j := 0; w != 0; j++ {
			if w&1 != 0 {
				nr := uint64(i*64 + j)
				if a == ArchX32 {
					nr |= x32BitNr
				}
				out = append(out, nr)
			}
			w >>= 1
		}
	}
	return out
}

// Names returns the names of the set's calls on any architecture, sorted.
func (s *Set) Names() []string {
	seen := map[string]bool{}
	for a := ArchX86_64; a < numArch; a++ {
		for _, nr := range s.Numbers(a) {
			seen[Lookup(a, nr).Name] = true
		}
	}
	out := make([]string, 0, len(seen))
	for n := range seen {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// defaultNames are the calls mmtrace traces without -e trace=.
var defaultNames = []string{
	"mmap", "mmap2", "munmap", "mprotect", "mremap", "msync", "madvise",
	"brk", "mlock", "munlock", "mlock2", "mlockall", "munlockall",
	"remap_file_pages", "mincore", "fork", "vfork", "clone", "clone3",
	"execve", "execveat", "exit", "exit_group",
}

// DefaultSet is the set mmtrace traces by default: the mapping calls
// (mmap, and mmap2 and the old mmap on i386), munmap, mprotect, mremap,
// msync, madvise, brk, the mlock family, remap_file_pages, mincore, and
// the calls that create, replace and end processes.
func DefaultSet() *Set {
	s := newSet()
	want := map[string]bool{}
	for _, n := range defaultNames {
		want[n] = true
	}
	s.addFunc(func(sc *Syscall) bool { return want[sc.Name] })
	return s
}

// isName reports whether some architecture has a call called name, and
// whether mmtrace decodes it somewhere.
func isName(name string) (known, decoded bool) {
	ensureTables()
	for a := ArchX86_64; a < numArch; a++ {
		for nr, n := range a.names() {
			if n == name {
				known = true
				if tables[a][nr] != nil {
					return true, true
				}
			}
		}
	}
	return known, false
}

// straceClasses are strace's other class names, which mmtrace does not
// trace.
var straceClasses = map[string]bool{
	"file": true, "desc": true, "network": true, "net": true, "signal": true,
	"ipc": true, "creds": true, "clock": true, "stat": true, "lstat": true,
	"fstat": true, "%stat": true, "statfs": true, "fstatfs": true,
	"%statfs": true, "pure": true,
}

// ParseSet parses strace's -e trace= syntax: comma-separated system call
// names or numbers (a number names that call of every architecture), the classes %memory and %process (also without the %), "all",
// "none", /regex, ?name (ignored when unknown), and a leading "!" negating
// the whole set. A name no architecture has is an error like strace's
// "invalid system call 'bogus'"; a real call mmtrace does not decode is
// an error saying so.
func ParseSet(expr string) (*Set, error) {
	neg := false
	list := expr
	if strings.HasPrefix(list, "!") {
		neg = true
		list = list[1:]
	}
	if list == "" {
		return nil, fmt.Errorf("%w '%s'", ErrUnknownSyscall, expr)
	}
	s := newSet()
	for _, tok := range strings.Split(list, ",") {
		if tok == "" {
			continue
		}
		optional := false
		name := tok
		if strings.HasPrefix(name, "?") {
			optional = true
			name = name[1:]
		}
		switch {
		case name == "all":
			s.addFunc(func(*Syscall) bool { return true })
		case name == "none":
		case name == "%memory" || name == "memory":
			s.addFunc((*Syscall).IsMemory)
		case name == "%process" || name == "process":
			s.addFunc((*Syscall).IsProcess)
		case strings.HasPrefix(name, "/"):
			re, err := regexp.Compile(name[1:])
			if err != nil {
				return nil, fmt.Errorf("invalid system call '%s': %w", tok, err)
			}
			s.addFunc(func(sc *Syscall) bool { return re.MatchString(sc.Name) })
		case strings.HasPrefix(name, "%"):
			if optional {
				continue
			}
			if straceClasses[name[1:]] {
				return nil, notTraced(name)
			}
			return nil, fmt.Errorf("%w '%s'", ErrUnknownSyscall, name)
		case straceClasses[name] && name != "stat" && name != "lstat" && name != "fstat" && name != "statfs" && name != "fstatfs":
			if optional {
				continue
			}
			return nil, notTraced(name)
		case name[0] >= '0' && name[0] <= '9':
			if err := s.addNumber(name); err != nil && !optional {
				return nil, err
			}
		default:
			known, decoded := isName(name)
			switch {
			case decoded:
				s.addFunc(func(sc *Syscall) bool { return sc.Name == name })
			case optional:
			case known:
				return nil, notTraced(name)
			default:
				return nil, fmt.Errorf("%w '%s'", ErrUnknownSyscall, name)
			}
		}
	}
	if neg {
		all := newSet()
		all.addFunc(func(*Syscall) bool { return true })
		for a := range all.bits {
			for i := range all.bits[a] {
				all.bits[a][i] &^= s.bits[a][i]
			}
		}
		s = all
	}
	return s, nil
}

// addNumber adds call number nr of every architecture of this machine (x86_64's, i386's and
// x32's on x86_64) where mmtrace decodes it, as strace's -e trace=9 names call 9 of every
// personality. A number no architecture has is an invalid
// system call; one that is only of calls mmtrace does not decode is not traced.
func (s *Set) addNumber(tok string) error {
	nr, err := strconv.ParseUint(tok, 10, 32)
	if err != nil {
		return fmt.Errorf("%w '%s'", ErrUnknownSyscall, tok)
	}
	known, decoded := false, false
	for a := ArchX86_64; a < numArch; a++ {
		if !runsHere(a) || nr >= uint64(len(a.names())) || a.names()[nr] == "" {
			continue
		}
		known = true
		if sc := tables[a][nr]; sc != nil {
			decoded = true
			s.add(sc)
		}
	}
	switch {
	case decoded:
		return nil
	case known:
		return notTraced(tok)
	}
	return fmt.Errorf("%w '%s'", ErrUnknownSyscall, tok)
}

// runsHere tells whether programs of architecture a run on this machine.
func runsHere(a Arch) bool {
	native := NativeArch()
	return a == native || native == ArchX86_64 && (a == ArchI386 || a == ArchX32)
}

func notTraced(name string) error {
	return fmt.Errorf("syscall '%s' is %w (it traces the %%memory and %%process classes)", name, ErrNotTraced)
}
