package ptrace

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"os"
	"syscall"

	"golang.org/x/sys/unix"
)

// A launcher image is a tiny static program, written at run time, that does what the Go
// launcher (RunLauncher) does: close the memfd it was executed from, set the command's
// default signals (Command.DefaultSignals), wait on the start pipe for the tracer's
// go-ahead, install the seccomp filter, execve the command. The numbers of the two
// descriptors (launchFds) are in its code. Starting it costs one page fault or two, where a
// re-exec of mmtrace costs hundreds: the Go runtime and the packages' init functions, about
// 15 ms on a virtual machine whose page faults are slow. Where there is no image for the architecture
// (launcherMachine is emNone, launcherCode returns nil), mmtrace re-execs itself.
//
// The program is run as: /proc/self/fd/N PATH ARGV0 ARGV1 ... with the command's environment,
// so that its own argv[0] is the command's path and the rest its argv: execve(argv[0],
// &argv[1], envp). It exits 1 (LaunchExecFailed) when execve fails, and 127 with a message
// on standard error when the go-ahead does not come or the filter is refused.

// launcherBase is where the image is loaded: its code and data are addressed absolutely.
const launcherBase = 0x400000

// The messages the image prints before it exits 127.
const (
	msgNoGoAhead = "mmtrace: launcher: the tracer went away before the command started\n"
	msgNoFilter  = "mmtrace: launcher: the seccomp filter was refused\n"
)

// launcherLayout is where the image's data lie, for the code to address them.
type launcherLayout struct {
	pipeFd    uint32 // the start pipe
	imageFd   uint32 // the memfd the image is executed from
	fprog     uint32 // struct sock_fprog, or 0 for no filter
	noGoAhead uint32
	noFilter  uint32
	// noNewPrivs: the tracer lacks CAP_SYS_ADMIN, so prctl(PR_SET_NO_NEW_PRIVS) comes first;
	// otherwise it comes only if the kernel refuses the filter without it (EACCES).
	noNewPrivs bool
	defaults   []unix.Signal // set to SIG_DFL first
	dflAction  uint32        // a kernel struct sigaction of zeros: SIG_DFL
}

// elfHeaderSize is the ELF header and the two program headers before the code.
const elfHeaderSize = 64 + 2*56

// What of ELF (elf(5)) the image needs. debug/elf has it all, but it brings compress/flate,
// internal/zstd and debug/dwarf with it, whose package inits cost 0.1 to 0.4 ms at every
// start of mmtrace, for every command.
const (
	emNone     = 0  // no machine: no launcher image
	emX86_64   = 62 // AMD x86-64
	elfClass64 = 2
	elfData2LE = 1 // little-endian
	evCurrent  = 1
	etExec     = 2
	ptLoad     = 1
	ptGNUStack = 0x6474e551
	pfX        = 1
	pfW        = 2
	pfR        = 4
)

// elfHeader64 and elfProg64 are Elf64_Ehdr and Elf64_Phdr.
type elfHeader64 struct {
	Ident                                      [16]byte
	Type, Machine                              uint16
	Version                                    uint32
	Entry, Phoff, Shoff                        uint64
	Flags                                      uint32
	Ehsize, Phentsize, Phnum, Shentsize, Shnum uint16
	Shstrndx                                   uint16
}

type elfProg64 struct {
	Type, Flags                             uint32
	Off, Vaddr, Paddr, Filesz, Memsz, Align uint64
}

// launcherImage builds the launcher program for this architecture; nil when there is none.
// prog is the filter (nil for none); defaults are the signals set to their default action;
// fds says where the image finds its start pipe and its own memfd.
func launcherImage(prog []unix.SockFilter, noNewPrivs bool, defaults []unix.Signal, fds launchFds) []byte {
	// The code is built twice: first to learn its length, then with the data's addresses.
	layout := launcherLayout{pipeFd: uint32(fds.pipe), imageFd: uint32(fds.image), noNewPrivs: noNewPrivs, defaults: defaults}
	if prog != nil {
		layout.fprog = 1 // any non-zero address: the code's length does not depend on it
	}
	code := launcherCode(layout)
	if code == nil {
		return nil
	}
	dataStart := align8(elfHeaderSize + len(code))
	var data bytes.Buffer
	at := func() uint32 { return uint32(launcherBase + dataStart + data.Len()) }
	if len(defaults) > 0 {
		layout.dflAction = at()
		data.Write(make([]byte, 32)) // handler, flags, restorer, mask
	}
	if prog != nil {
		layout.fprog = at()
		// struct sock_fprog: unsigned short len, padding, then the filter's address.
		binary.Write(&data, binary.LittleEndian, uint64(len(prog)))
		binary.Write(&data, binary.LittleEndian, uint64(at()+8))
		binary.Write(&data, binary.LittleEndian, prog)
	}
	layout.noGoAhead = at()
	data.WriteString(msgNoGoAhead)
	layout.noFilter = at()
	data.WriteString(msgNoFilter)
	code = launcherCode(layout)

	size := dataStart + data.Len()
	var img bytes.Buffer
	binary.Write(&img, binary.LittleEndian, elfHeader64{
		Ident:     [16]byte{0x7f, 'E', 'L', 'F', elfClass64, elfData2LE, evCurrent},
		Type:      etExec,
		Machine:   launcherMachine,
		Version:   evCurrent,
		Entry:     launcherBase + elfHeaderSize,
		Phoff:     64,
		Ehsize:    64,
		Phentsize: 56,
		Phnum:     2,
	})
	binary.Write(&img, binary.LittleEndian, elfProg64{
		Type:   ptLoad,
		Flags:  pfR | pfX,
		Vaddr:  launcherBase,
		Paddr:  launcherBase,
		Filesz: uint64(size),
		Memsz:  uint64(size),
		Align:  0x1000,
	})
	// PT_GNU_STACK without PF_X: a stack that is not executable, as every program's today.
	binary.Write(&img, binary.LittleEndian, elfProg64{
		Type:  ptGNUStack,
		Flags: pfR | pfW,
		Align: 16,
	})
	img.Write(code)
	img.Write(make([]byte, dataStart-img.Len()))
	img.Write(data.Bytes())
	return img.Bytes()
}

func align8(n int) int { return (n + 7) &^ 7 }

// startImage starts the launcher image as a process with the command's arguments and
// environment, and the descriptors fds lays out, stderr as descriptor 2. image must have
// been built for the same fds.
func startImage(image []byte, cmd Command, fds launchFds, pipe, stderr *os.File) (int, error) {
	// MFD_EXEC: executable whatever vm.memfd_noexec makes the default (Linux 6.3+); older
	// kernels refuse the flag, and their memfds are executable.
	fd, err := unix.MemfdCreate("mmtrace-launcher", unix.MFD_CLOEXEC|unix.MFD_EXEC)
	if err == unix.EINVAL {
		fd, err = unix.MemfdCreate("mmtrace-launcher", unix.MFD_CLOEXEC)
	}
	if err != nil {
		return 0, fmt.Errorf("launcher image: %w", err)
	}
	f := os.NewFile(uintptr(fd), "mmtrace-launcher")
	defer f.Close()
	if _, err := f.Write(image); err != nil {
		return 0, fmt.Errorf("launcher image: %w", err)
	}
	// The memfd is passed at its own number, which the image closes first: the child closes
	// the close-on-exec descriptors among the numbers it lays out (launchFds.files).
	path := fmt.Sprintf("/proc/self/fd/%d", fds.image)
	pid, err := syscall.ForkExec(path, append([]string{cmd.Path}, cmd.Argv...), &syscall.ProcAttr{
		Env:   cmd.Env,
		Files: fds.files(stderr, pipe, f),
	})
	if err != nil {
		return 0, fmt.Errorf("launcher image: %w", err)
	}
	return pid, nil
}

// assembler builds machine code with forward and backward jumps to named labels.
type assembler struct {
	code   []byte
	labels map[string]int
	jumps  []jump
}

type jump struct {
	at    int  // offset of the displacement
	wide  bool // a four-byte displacement, else one byte
	label string
}

func (a *assembler) emit(b ...byte) { a.code = append(a.code, b...) }

func (a *assembler) label(name string) {
	if a.labels == nil {
		a.labels = map[string]int{}
	}
	a.labels[name] = len(a.code)
}

// jump8 emits a jump instruction op with a one-byte displacement to label.
func (a *assembler) jump8(op byte, label string) {
	a.emit(op, 0)
	a.jumps = append(a.jumps, jump{at: len(a.code) - 1, label: label})
}

// jump32 emits a jump instruction op (one or more bytes) with a four-byte displacement.
func (a *assembler) jump32(label string, op ...byte) {
	a.emit(op...)
	a.emit(0, 0, 0, 0)
	a.jumps = append(a.jumps, jump{at: len(a.code) - 4, wide: true, label: label})
}

// assemble resolves the jumps and returns the code.
func (a *assembler) assemble() []byte {
	for _, j := range a.jumps {
		to, ok := a.labels[j.label]
		if !ok {
			panic("launcher code: no label " + j.label) // a bug in launcherCode
		}
		if j.wide {
			binary.LittleEndian.PutUint32(a.code[j.at:], uint32(int32(to-(j.at+4))))
			continue
		}
		rel := to - (j.at + 1)
		if rel < -128 || rel > 127 {
			panic(fmt.Sprintf("launcher code: jump to %s out of range", j.label)) // a bug in launcherCode
		}
		a.code[j.at] = byte(int8(rel))
	}
	return a.code
}

func le32(v uint32) []byte { return binary.LittleEndian.AppendUint32(nil, v) }
