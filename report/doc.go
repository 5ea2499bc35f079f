// Package report turns what the tracer saw into what a user reads: strace's line syntax for
// traced calls, and region tables, summaries and JSON for address spaces. It is the last
// stage of mmtrace's one-way flow (ptrace -> decode -> procmaps -> report) and writes only to
// the io.Writer it is given.
package report
