package ptrace

const launcherMachine = emX86_64

// launcherCode is the launcher's x86-64 code (see launcher_image.go). At entry, [rsp] holds
// argc, then argv[0..argc-1], a NULL, then the environment.
func launcherCode(l launcherLayout) []byte {
	var a assembler
	// close(imageFd): the memfd this program was executed from is not the command's.
	a.emit(0xbf) // mov edi, imageFd
	a.emit(le32(l.imageFd)...)
	a.emit(0xb8, 3, 0, 0, 0) // mov eax, SYS_close
	a.emit(0x0f, 0x05)       // syscall
	for _, sig := range l.defaults {
		// rt_sigaction(sig, &dflAction, NULL, 8)
		a.emit(0xbf) // mov edi, sig
		a.emit(le32(uint32(sig))...)
		a.emit(0xbe) // mov esi, dflAction
		a.emit(le32(l.dflAction)...)
		a.emit(0x31, 0xd2)             // xor edx, edx
		a.emit(0x41, 0xba, 8, 0, 0, 0) // mov r10d, 8 (the mask's size)
		a.emit(0xb8, 13, 0, 0, 0)      // mov eax, SYS_rt_sigaction
		a.emit(0x0f, 0x05)             // syscall
	}
	// read(pipeFd, rsp-8, 1): the tracer's go-ahead, one byte, in the red zone below the stack.
	a.emit(0xbf) // mov edi, pipeFd
	a.emit(le32(l.pipeFd)...)
	a.emit(0x48, 0x8d, 0x74, 0x24, 0xf8)        // lea rsi, [rsp-8]
	a.emit(0xba, 1, 0, 0, 0)                    // mov edx, 1
	a.emit(0x31, 0xc0)                          // xor eax, eax (SYS_read)
	a.emit(0x0f, 0x05)                          // syscall
	a.emit(0x48, 0x83, 0xf8, 0x01)              // cmp rax, 1
	a.jump32("noGoAhead", 0x0f, 0x85)           // jne (rel32)
	a.emit(0x80, 0x7c, 0x24, 0xf8, launchReady) // cmp byte [rsp-8], launchReady
	a.jump32("noGoAhead", 0x0f, 0x85)           // jne (rel32)
	// close(pipeFd)
	a.emit(0xbf) // mov edi, pipeFd
	a.emit(le32(l.pipeFd)...)
	a.emit(0xb8, 3, 0, 0, 0) // mov eax, SYS_close
	a.emit(0x0f, 0x05)       // syscall
	if l.fprog != 0 {
		// seccomp(SECCOMP_SET_MODE_FILTER, 0, &fprog)
		seccomp := func() {
			a.emit(0xbf, 1, 0, 0, 0) // mov edi, SECCOMP_SET_MODE_FILTER
			a.emit(0x31, 0xf6)       // xor esi, esi
			a.emit(0xba)             // mov edx, fprog
			a.emit(le32(l.fprog)...)
			a.emit(0xb8, 0x3d, 0x01, 0, 0) // mov eax, SYS_seccomp (317)
			a.emit(0x0f, 0x05)             // syscall
		}
		if !l.noNewPrivs {
			// The tracer has CAP_SYS_ADMIN, but this program may not: a file capability of
			// mmtrace's is not carried through this execve. The kernel then says EACCES, and
			// the filter is installed as it would be without the capability.
			seccomp()
			a.emit(0x48, 0x85, 0xc0)       // test rax, rax
			a.jump8(0x74, "exec")          // jz
			a.emit(0x48, 0x83, 0xf8, 0xf3) // cmp rax, -EACCES
			a.jump8(0x75, "noFilter")      // jne
		}
		// prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0)
		a.emit(0xbf, 38, 0, 0, 0)  // mov edi, PR_SET_NO_NEW_PRIVS
		a.emit(0xbe, 1, 0, 0, 0)   // mov esi, 1
		a.emit(0x31, 0xd2)         // xor edx, edx
		a.emit(0x45, 0x31, 0xd2)   // xor r10d, r10d
		a.emit(0x45, 0x31, 0xc0)   // xor r8d, r8d
		a.emit(0xb8, 157, 0, 0, 0) // mov eax, SYS_prctl
		a.emit(0x0f, 0x05)         // syscall
		a.emit(0x48, 0x85, 0xc0)   // test rax, rax
		a.jump8(0x75, "noFilter")  // jnz
		seccomp()
		a.emit(0x48, 0x85, 0xc0)  // test rax, rax
		a.jump8(0x75, "noFilter") // jnz
	}
	a.label("exec")
	// execve(argv[0], &argv[1], envp), envp = rsp + 8*argc + 16
	a.emit(0x48, 0x8b, 0x7c, 0x24, 0x08) // mov rdi, [rsp+8]
	a.emit(0x48, 0x8d, 0x74, 0x24, 0x10) // lea rsi, [rsp+16]
	a.emit(0x48, 0x8b, 0x04, 0x24)       // mov rax, [rsp]
	a.emit(0x48, 0x8d, 0x54, 0xc4, 0x10) // lea rdx, [rsp+rax*8+16]
	a.emit(0xb8, 59, 0, 0, 0)            // mov eax, SYS_execve
	a.emit(0x0f, 0x05)                   // syscall
	// execve failed: the tracer saw why; exit quietly.
	a.emit(0xbf, LaunchExecFailed, 0, 0, 0) // mov edi, LaunchExecFailed
	a.jump8(0xeb, "exit")                   // jmp

	// The messages' lengths are constants: one over 255 would not compile.
	a.label("noFilter")
	a.emit(0xbe) // mov esi, message
	a.emit(le32(l.noFilter)...)
	a.emit(0xba, byte(len(msgNoFilter)), 0, 0, 0) // mov edx, its length
	a.jump8(0xeb, "fail")                         // jmp
	a.label("noGoAhead")
	a.emit(0xbe) // mov esi, message
	a.emit(le32(l.noGoAhead)...)
	a.emit(0xba, byte(len(msgNoGoAhead)), 0, 0, 0) // mov edx, its length
	a.label("fail")
	a.emit(0xbf, 2, 0, 0, 0)   // mov edi, 2
	a.emit(0xb8, 1, 0, 0, 0)   // mov eax, SYS_write
	a.emit(0x0f, 0x05)         // syscall
	a.emit(0xbf, 127, 0, 0, 0) // mov edi, 127
	a.label("exit")
	a.emit(0xb8, 231, 0, 0, 0) // mov eax, SYS_exit_group
	a.emit(0x0f, 0x05)         // syscall
	return a.assemble()
}
