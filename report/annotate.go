package report

import (
	"io"
	"strconv"

	"github.com/mmtrace/mmtrace/procmaps"
)

// AnnotationMark starts each of mmtrace's own lines under a call, after the task prefix, so
// that they are told apart from strace's lines at a glance and by a program.
const AnnotationMark = "  ~ "

// Annotate writes, under the call just ended, what it did to the address space: the regions
// made or changed as the kernel shows them now, the parts it removed, and for calls that
// change no layout, the regions they covered.
func (s *Strace) Annotate(tid int, ch *procmaps.Change) {
	for i := range ch.Made {
		s.region(tid, "made    ", &ch.Made[i])
	}
	for i := range ch.Changed {
		s.region(tid, "now     ", &ch.Changed[i])
	}
	for i := range ch.Removed {
		s.region(tid, "removed ", &ch.Removed[i])
	}
	for i := range ch.Touched {
		s.region(tid, "covers  ", &ch.Touched[i])
	}
}

func (s *Strace) region(tid int, verb string, r *procmaps.Region) {
	s.beginUntimed(tid)
	s.line = append(s.line, AnnotationMark...)
	s.line = append(s.line, verb...)
	if s.opts.Colour {
		s.line = appendRegionColour(s.line, r)
	} else {
		s.line = AppendRegion(s.line, r)
	}
	s.line = append(s.line, '\n')
	s.out.Write(s.line)
}

// AppendRegion appends one region as annotations show it:
// "7f445e70a000-7f445e70c000 rw-s 8.0K file-shared /tmp/kinds.dat", with what the region is
// (heap, stack, memfd, ...) after its kind when it is more than a plain file or anonymous memory.
func AppendRegion(b []byte, r *procmaps.Region) []byte {
	b = strconv.AppendUint(b, r.Start, 16)
	b = append(b, '-')
	b = strconv.AppendUint(b, r.End, 16)
	b = append(b, ' ')
	b = append(b, r.Perms.String()...)
	b = append(b, ' ')
	b = append(b, MapsSize(r.Size(), false)...)
	b = append(b, ' ')
	b = append(b, r.Kind.String()...)
	if r.Role != procmaps.RoleFile && r.Role != procmaps.RoleAnon {
		b = append(b, ' ')
		b = append(b, r.Role.String()...)
	}
	if name := r.DisplayName(); name != "" {
		b = append(b, ' ')
		b = append(b, name...)
	}
	return b
}

// kindColours are the ANSI colours of the four kinds; heap and stack, anonymous private
// memory that matters most, get their own.
var kindColours = [...]string{
	procmaps.FileShared:  "\x1b[34m",
	procmaps.FilePrivate: "\x1b[36m",
	procmaps.AnonShared:  "\x1b[35m",
	procmaps.AnonPrivate: "\x1b[32m",
}

const roleColour = "\x1b[33m"

// appendRegionColour is AppendRegion with the kind (and heap or stack) in colour.
func appendRegionColour(b []byte, r *procmaps.Region) []byte {
	plain := AppendRegion(nil, r)
	kind := r.Kind.String()
	colour := kindColours[r.Kind]
	if r.Role == procmaps.RoleHeap || r.Role == procmaps.RoleStack {
		colour = roleColour
	}
	// The kind is the fourth field: after the range, the permissions and the size.
	at := 0
	for fields := 0; fields < 3 && at < len(plain); at++ {
		if plain[at] == ' ' {
			fields++
		}
	}
	b = append(b, plain[:at]...)
	b = append(b, colour...)
	b = append(b, kind...)
	b = append(b, colourReset...)
	return append(b, plain[at+len(kind):]...)
}

// Block ends any open line and returns the output, for a block of text of its own (a region
// table) between trace lines.
func (s *Strace) Block() io.Writer {
	if s.openTid != 0 {
		s.out.WriteString(" <unfinished ...>\n")
		s.openTid = 0
	}
	return s.out
}
