package procmaps

import (
	"errors"
	"fmt"
)

// ErrNoProcess is returned for a pid that does not exist (or has been reaped).
var ErrNoProcess = errors.New("no such process")

// ErrNoAddressSpace is returned for a process that has no regions at all: a kernel thread,
// or a zombie whose memory is already gone.
var ErrNoAddressSpace = errors.New("no address space")

// ParseError reports a line of maps, smaps or smaps_rollup text that cannot be parsed.
type ParseError struct {
	Line int    // from 1
	Text string // the line, cut to 80 bytes
	Msg  string // what is wrong with it
}

func (e *ParseError) Error() string {
	return fmt.Sprintf("line %d: %s: %q", e.Line, e.Msg, e.Text)
}

func parseError(line int, text []byte, msg string) *ParseError {
	if len(text) > 80 {
		text = text[:80]
	}
	return &ParseError{Line: line, Text: string(text), Msg: msg}
}
