module github.com/mmtrace/mmtrace

go 1.26.0

require (
	github.com/mattn/go-runewidth v0.0.19
	github.com/olekukonko/tablewriter v0.0.5 // not v1: its package init costs 2-3 ms at every start (report/table.go)
	github.com/spf13/cobra v1.10.2
	github.com/spf13/pflag v1.0.9
	golang.org/x/sys v0.49.0
)

require (
	github.com/clipperhouse/uax29/v2 v2.6.0 // indirect
	github.com/inconshreveable/mousetrap v1.1.0 // indirect
)
