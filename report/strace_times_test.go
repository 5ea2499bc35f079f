package report

import (
	"bytes"
	"strconv"
	"testing"
	"time"
)

// TestStraceTimes: the times a line shows, in strace 6.1's formats, for each precision: the
// wall clock (-t, -tt, -ttt, --timestamps), the time since the previous line (-r, alone and
// after a wall clock), the time in the call (-T); and -Y's command name in the prefixes.
func TestStraceTimes(t *testing.T) {
	start := time.Date(2026, 12, 4, 19, 3, 8, 821225678, time.Local)
	end := start.Add(1234567891 * time.Nanosecond)
	unix := strconv.FormatInt(start.Unix(), 10)
	for _, c := range []struct {
		name string
		opts StraceOptions
		want string
	}{
		{"t", StraceOptions{Clock: TimeOfDay}, "19:03:08 munmap(0x1000, 4096) = 0\n"},
		{"tt", StraceOptions{Clock: TimeOfDay, ClockDigits: 6}, "19:03:08.821225 munmap(0x1000, 4096) = 0\n"},
		{"time,ms", StraceOptions{Clock: TimeOfDay, ClockDigits: 3}, "19:03:08.821 munmap(0x1000, 4096) = 0\n"},
		{"unix,ns", StraceOptions{Clock: UnixTime, ClockDigits: 9}, unix + ".821225678 munmap(0x1000, 4096) = 0\n"},
		{"unix", StraceOptions{Clock: UnixTime}, unix + " munmap(0x1000, 4096) = 0\n"},
		{"r", StraceOptions{Relative: true, RelativeDigits: 6}, "     0.000000 munmap(0x1000, 4096) = 0\n"},
		{"r=s", StraceOptions{Relative: true}, "     0 munmap(0x1000, 4096) = 0\n"},
		{"t r=ms", StraceOptions{Clock: TimeOfDay, Relative: true, RelativeDigits: 3}, "19:03:08 (+     0.000) munmap(0x1000, 4096) = 0\n"},
		{"T", StraceOptions{CallTimes: true, CallTimeDigits: 6}, "munmap(0x1000, 4096) = 0 <1.234567>\n"},
		{"T=s", StraceOptions{CallTimes: true}, "munmap(0x1000, 4096) = 0 <1>\n"},
		{"T=ns", StraceOptions{CallTimes: true, CallTimeDigits: 9}, "munmap(0x1000, 4096) = 0 <1.234567891>\n"},
		{"T=ms", StraceOptions{CallTimes: true, CallTimeDigits: 3}, "munmap(0x1000, 4096) = 0 <1.234>\n"},
	} {
		var out bytes.Buffer
		c.opts.Prefix, c.opts.Column = PrefixNone, 1
		s := NewStrace(&out, c.opts)
		s.TaskStarted(7)
		s.SetClock(start)
		s.Entry(7, "munmap", []byte("0x1000, 4096"))
		s.SetClock(end)
		s.Exit(7, "munmap", nil, []byte("0"))
		s.Flush()
		if out.String() != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, out.String(), c.want)
		}
	}

	// A second line: -r counts from the first.
	var out bytes.Buffer
	s := NewStrace(&out, StraceOptions{Prefix: PrefixPid, Relative: true, RelativeDigits: 9})
	s.TaskStarted(7)
	s.SetComm(7, "sh")
	for _, at := range []time.Time{start, end} {
		s.SetClock(at)
		s.Signal(7, []byte("SIGCHLD {}"))
	}
	s.TaskStarted(12345)
	s.SetClock(end)
	s.Signal(12345, []byte("SIGCHLD {}"))
	s.Flush()
	want := "7<sh>      0.000000000 --- SIGCHLD {} ---\n7<sh>      1.234567891 --- SIGCHLD {} ---\n12345      0.000000000 --- SIGCHLD {} ---\n"
	if out.String() != want {
		t.Errorf("-r=ns -Y:\n got %q\nwant %q", out.String(), want)
	}
	out.Reset()
	s = NewStrace(&out, StraceOptions{Prefix: PrefixBracket})
	s.TaskStarted(7)
	s.TaskStarted(8)
	s.SetComm(7, "sh")
	s.Exited(7, 0)
	s.Exited(8, 0)
	s.Flush()
	if want := "[pid     7<sh>] +++ exited with 0 +++\n+++ exited with 0 +++\n"; out.String() != want {
		t.Errorf("-Y on stderr:\n got %q\nwant %q", out.String(), want)
	}
}
