package procmaps

import (
	"fmt"
	"strings"
)

// formatMapsLine writes r back the way the kernel does (padding the name to column 73), so
// tests can check that parsing loses nothing.
func formatMapsLine(r *Region) string {
	s := fmt.Sprintf("%08x-%08x %s %08x %s %d", r.Start, r.End, r.Perms, r.Offset, r.Dev, r.Inode)
	name := strings.ReplaceAll(r.DisplayName(), "\n", `\012`)
	if name == "" {
		return s + " " // the kernel ends an unnamed region's line with a space
	}
	if len(s) < 73 {
		s += strings.Repeat(" ", 73-len(s))
	} else {
		s += " "
	}
	return s + name
}
