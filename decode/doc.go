// Package decode holds mmtrace's system call tables and formatters.
//
// For every supported architecture (x86_64, i386, x32, arm64) it knows the
// numbers and names of the system calls, and for the memory-mapping and
// process-lifecycle calls mmtrace traces (strace's %memory and %process
// classes) it decodes their arguments and return values into exactly the text
// strace 6.1 prints. Tables are data: flag sets are lists of {value, name}
// pairs in strace's order, system calls are lists of {number, name, decoder}
// per architecture, and formatting is one generic function per kind of
// argument. The number-to-name tables (names_gen.go) are generated: go
// generate ./decode runs internal/gennames, which reads the golang.org/x/sys
// version in go.mod from the module cache, and TestNamesGenCurrent fails when
// the committed file is not its output.
//
// Formatting is append-style into a caller-owned []byte and does not
// allocate for calls that need no tracee memory (mmap, munmap, mprotect ...).
// Arguments that point into the tracee (execve's argv, clone3's struct,
// mincore's vector) are read through the Tracee interface.
//
// The package never prints and never exits; it only builds text.
package decode
