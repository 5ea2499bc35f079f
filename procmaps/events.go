package procmaps

import (
	"github.com/mmtrace/mmtrace/decode"
	"github.com/mmtrace/mmtrace/ptrace"
)

// Update is what one tracer event did to the models.
type Update struct {
	// Change is what a successful call did (Changed tells whether there is one).
	Change  Change
	Changed bool
	// Snapshot is set when the event was a moment to compare the model with the kernel: a
	// process about to exit, or about to execve; When says which.
	Snapshot *Comparison
	When     string
	Err      error // the model could not be read or updated for this event
}

// Follow keeps the models in step with one tracer event; sc is the event's call, if any,
// and origin what a region made by it is attributed to. It must see every event of the
// processes it models, and every call that changes a layout (ModelCalls).
func (t *Tracker) Follow(ev *ptrace.Event, sc *decode.Syscall, origin Origin) Update {
	var u Update
	if ev.Injected && (ev.Kind == ptrace.SyscallEntry || ev.Kind == ptrace.SyscallExit) {
		return u // tampered with (-e inject=): the call did not happen
	}
	switch ev.Kind {
	case ptrace.TaskStart:
		// A process found running (attach): what it has was made before the trace. Its first
		// task is its leader, or (when the leader has ended and cannot be seized) a thread.
		attached := ev.ParentTid == 0 || ev.ParentTid == ev.Pid && ev.Tid != ev.Pid
		if t.spaces[ev.Pid] == nil && attached {
			u.Err = t.Start(ev.Pid, ev.Tid, Origin{Kind: OriginBefore})
		}
	case ptrace.Fork:
		if ev.ChildPid != ev.Pid {
			shares, err := SharesAddressSpace(ev.Pid, ev.ChildPid)
			t.Fork(ev.Pid, ev.ChildPid, shares && err == nil)
		}
	case ptrace.SyscallEntry:
		switch {
		case sc.IsExec():
			u.Snapshot, u.When, u.Err = t.snapshotOnce(ev.Pid, ev.Tid, "execve")
		case sc.NeverReturns() && sc.Name == "exit_group":
			t.groupExit[ev.Pid] = true
		}
	case ptrace.SyscallExit:
		if sc.IsExec() && ev.IsError {
			delete(t.snapshotted, ev.Pid) // the program goes on: compare again at its exit
		}
		if ev.IsError || t.spaces[ev.Pid] == nil {
			break
		}
		u.Change, u.Err = t.Apply(ev.Pid, &Call{Syscall: sc, Args: ev.Args, Ret: uint64(ev.Ret), Origin: origin})
		u.Changed = u.Err == nil
	case ptrace.Exec:
		u.Err = t.Start(ev.Pid, ev.Tid, Origin{Kind: OriginExec})
		delete(t.snapshotted, ev.Pid)
		delete(t.groupExit, ev.Pid)
	case ptrace.Exiting:
		if ev.LastTask || t.groupExit[ev.Pid] {
			u.Snapshot, u.When, u.Err = t.snapshotOnce(ev.Pid, ev.Tid, "exit")
		}
	case ptrace.Exited, ptrace.Killed, ptrace.Detached:
		if ev.Tid == ev.Pid {
			t.end(ev.Pid)
		}
	}
	return u
}

// snapshotOnce compares the model of pid with the kernel, once per program it runs.
func (t *Tracker) snapshotOnce(pid, tid int, when string) (*Comparison, string, error) {
	if !t.Snapshots || t.snapshotted[pid] || t.spaces[pid] == nil {
		return nil, "", nil
	}
	t.snapshotted[pid] = true
	c, err := t.Snapshot(pid, tid)
	if err != nil {
		return nil, "", err
	}
	return &c, when, nil
}

func (t *Tracker) end(pid int) {
	t.Forget(pid)
	delete(t.snapshotted, pid)
	delete(t.groupExit, pid)
}

// ModelCalls are the calls the models must see to follow a layout, whatever the user chose
// to print (decode.ParseSet syntax). Forks are reported by the tracer on their own.
const ModelCalls = "mmap,mmap2,munmap,mprotect,pkey_mprotect,mremap,brk,shmat,shmdt,madvise," +
	"mlock,munlock,mlock2,remap_file_pages,execve,execveat,exit_group"
