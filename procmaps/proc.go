package procmaps

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strconv"
	"strings"
)

// Proc reads the address space of one live process from /proc.
type Proc struct {
	PID int
}

// NewProc returns a Proc for pid; it does not touch /proc.
func NewProc(pid int) Proc { return Proc{PID: pid} }

func (p Proc) path(file string) string {
	return "/proc/" + strconv.Itoa(p.PID) + "/" + file
}

// Maps reads and classifies the regions of /proc/PID/maps.
func (p Proc) Maps() (Regions, error) { return p.read("maps", ParseMaps) }

// Smaps reads and classifies the regions of /proc/PID/smaps, each with its Usage. The kernel
// walks the page tables of every region for it: about 1.3 us a region.
func (p Proc) Smaps() (Regions, error) { return p.read("smaps", ParseSmaps) }

// Rollup reads /proc/PID/smaps_rollup: the sums of smaps over the whole address space.
func (p Proc) Rollup() (Usage, error) {
	f, err := os.Open(p.path("smaps_rollup"))
	if err != nil {
		return Usage{}, fmt.Errorf("read smaps_rollup of %d: %w", p.PID, openError(err))
	}
	defer f.Close()
	u, err := ParseRollup(f)
	if err != nil {
		return Usage{}, fmt.Errorf("read smaps_rollup of %d: %w", p.PID, err)
	}
	return u, nil
}

func (p Proc) read(file string, parse func(io.Reader) (Regions, error)) (Regions, error) {
	rs, err := readStill(func() (io.ReadCloser, error) { return os.Open(p.path(file)) }, parse)
	if err != nil {
		return nil, fmt.Errorf("read %s of %d: %w", file, p.PID, openError(err))
	}
	if len(rs) == 0 {
		return nil, p.noRegions()
	}
	shmem, err := ShmemDevice()
	if err != nil {
		// Without the probe, the process's own shared anonymous memory may still say.
		shmem, _ = InferShmemDevice(rs)
	}
	rs.Classify(shmem)
	return rs, nil
}

// stillReadTries is how many times readStill reads a live region list before it gives up.
const stillReadTries = 20

// readStill reads the region list of a live process until it gets one read while the
// address space held still. The kernel writes maps and smaps a buffer at a time and lets go
// of the process's mappings between two: when a region that ended one buffer merges with the
// next meanwhile, the next buffer starts with the merged region, which overlaps the one
// written before. pmap prints such a list as it comes; a Regions must be in order, and a new
// read almost always finds the address space still.
func readStill(open func() (io.ReadCloser, error), parse func(io.Reader) (Regions, error)) (Regions, error) {
	var err error
	for range stillReadTries {
		var f io.ReadCloser
		if f, err = open(); err != nil {
			return nil, err
		}
		var rs Regions
		rs, err = parse(f)
		f.Close()
		var pe *ParseError
		if !errors.As(err, &pe) || pe.Msg != overlapMsg {
			return rs, err
		}
	}
	return nil, fmt.Errorf("its mappings changed during each of %d reads: %w", stillReadTries, err)
}

// openError turns the errors of opening a /proc file into ones a user understands.
func openError(err error) error {
	if errors.Is(err, fs.ErrNotExist) {
		return ErrNoProcess
	}
	return err
}

// NoRegionsError explains a process with an empty maps file.
type NoRegionsError struct {
	PID    int
	Comm   string
	Reason string // "is a kernel thread", "is a zombie", "has no regions"
}

func (e *NoRegionsError) Error() string {
	return fmt.Sprintf("pid %d (%s) %s: it has no address space", e.PID, e.Comm, e.Reason)
}

// Is makes errors.Is(err, ErrNoAddressSpace) true.
func (e *NoRegionsError) Is(target error) bool { return target == ErrNoAddressSpace }

const pfKthread = 0x00200000 // PF_KTHREAD in the flags of /proc/PID/stat

func (p Proc) noRegions() error {
	e := &NoRegionsError{PID: p.PID, Reason: "has no regions"}
	stat, err := os.ReadFile(p.path("stat"))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("read maps of %d: %w", p.PID, ErrNoProcess)
		}
		return e
	}
	// pid (comm) state ppid pgrp session tty_nr tpgid flags ...; comm may hold ')'.
	open, close := bytes.IndexByte(stat, '('), bytes.LastIndexByte(stat, ')')
	if open < 0 || close < open {
		return e
	}
	e.Comm = string(stat[open+1 : close])
	fields := strings.Fields(string(stat[close+1:]))
	if len(fields) > 6 {
		flags, _ := strconv.ParseUint(fields[6], 10, 64)
		switch {
		case flags&pfKthread != 0:
			e.Reason = "is a kernel thread"
		case fields[0] == "Z" || fields[0] == "X":
			e.Reason = "is a zombie"
		}
	}
	return e
}

// Command returns the command line of the process, or its [comm] when it has none (a
// kernel thread), or "" when neither can be read.
func (p Proc) Command() string {
	b, err := os.ReadFile(p.path("cmdline"))
	if err == nil && len(b) > 0 {
		return strings.TrimRight(strings.ReplaceAll(string(b), "\x00", " "), " ")
	}
	comm, err := os.ReadFile(p.path("comm"))
	if err != nil {
		return ""
	}
	return "[" + strings.TrimSpace(string(comm)) + "]"
}
