package main

import (
	"github.com/spf13/cobra"
)

func newRootCmd() *cobra.Command {
	root := &cobra.Command{
		Use:   "mmtrace",
		Short: "Trace the memory-mapping calls of a process and inspect its address space",
		// Errors are printed once, by run, in one line.
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	root.CompletionOptions.HiddenDefaultCmd = true
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		return &exitError{code: 2, err: err}
	})
	root.AddCommand(newTraceCmd(), newAttachCmd(), newMapsCmd(), newCompletionCmd(), newManCmd())
	setVersion(root)
	return root
}
