/* Every kind of value that strace's -X, -v and -s print differently: flags and values known,
 * unknown and zero, signals by number, errnos in arrays and in siginfo, si_code without a
 * name, arrays longer than -s, a whole struct rusage, execve's strings at the edges of -s
 * ("", "a", "ab", "abcd", "abcde"). Most calls fail: strace prints their arguments all the
 * same. Builds for x86_64 and i386. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGES 40 /* more than strace's default -s */

static volatile sig_atomic_t got;

static void on_signal(int sig) { got = sig; }

/* reap waits for a child with wait4, its rusage wanted. */
static void reap(pid_t child)
{
	int status;
	struct rusage ru;
	syscall(SYS_wait4, child, &status, 0, &ru);
}

static void memory_calls(void)
{
	long page = sysconf(_SC_PAGESIZE);
	char *a = mmap(NULL, PAGES * page, PROT_NONE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	mmap(NULL, page, PROT_READ | 0x80000000, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	mmap(NULL, page, PROT_READ, 0xf | MAP_ANONYMOUS, -1, 0);
	mmap(NULL, page, PROT_READ, MAP_ANONYMOUS, -1, 0);
	mmap(NULL, 2 * 1024 * 1024, PROT_READ | PROT_WRITE,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_HUGETLB | (21 << 26) | 0x800000, -1, 0);
	mprotect(a, page, PROT_READ | PROT_WRITE);
	mprotect(a, page, 0x40);
	syscall(SYS_pkey_mprotect, a, page, PROT_READ | PROT_WRITE, -1);
	madvise(a, page, MADV_DONTNEED);
	madvise(a, page, 999);
	msync(a, page, 0);
	msync(a, page, MS_SYNC | 0x100);
	syscall(SYS_mlock2, a, page, 0);
	syscall(SYS_mlock2, a, page, 0x3);
	mlockall(0);
	mlockall(MCL_CURRENT | 0x80);
	munlockall();
	mremap(a, page, page, MREMAP_MAYMOVE | MREMAP_FIXED | 0x80, a + 8 * page);
	remap_file_pages(a, page, PROT_READ, 0, MAP_NONBLOCK);

	unsigned char vec[PAGES];
	mincore(a, PAGES * page, vec);

	unsigned long mask[PAGES] = {1};
	syscall(SYS_mbind, a, page, 2 /* MPOL_BIND */ | (1 << 15) /* MPOL_F_STATIC_NODES */,
		mask, 8 * sizeof(long) * PAGES, 1 /* MPOL_MF_STRICT */);
	syscall(SYS_mbind, a, page, 0x1234, NULL, 0, 0x80);
	syscall(SYS_set_mempolicy, 0 /* MPOL_DEFAULT */, NULL, 0);
	syscall(SYS_set_mempolicy, 0x7000, NULL, 0);
	int mode;
	syscall(SYS_get_mempolicy, &mode, NULL, 0, NULL, 0);
	syscall(SYS_get_mempolicy, &mode, mask, 8 * sizeof(long) * 2, a, 3 /* MPOL_F_NODE|MPOL_F_ADDR */);
	syscall(SYS_migrate_pages, 0, 8 * sizeof(long) * PAGES, mask, mask);

	void *pages[PAGES];
	int nodes[PAGES], status[PAGES];
	for (int i = 0; i < PAGES; i++) {
		pages[i] = a + i * page;
		nodes[i] = 0;
	}
	a[0] = 1;
	syscall(SYS_move_pages, 0, PAGES, pages, NULL, status, 0);
	syscall(SYS_move_pages, 0, 2, pages, nodes, status, 2 /* MPOL_MF_MOVE */ | 0x100);
	syscall(SYS_set_mempolicy_home_node, a, page, 0, 0);

	int shm = shmget(IPC_PRIVATE, page, IPC_CREAT | 0600);
	void *s = shmat(shm, NULL, SHM_RDONLY);
	shmdt(s);
	shmat(shm, NULL, 0x40000000);
	shmctl(shm, IPC_RMID, NULL);

	unsigned long ctx = 0;
	syscall(SYS_io_setup, 1, &ctx);
	syscall(SYS_io_destroy, ctx);
	munmap(a, PAGES * page);
}

/* struct clone_args of linux/sched.h, spelled out for older headers. */
struct clone_args_v2 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size, cgroup;
};

static void process_calls(void)
{
	pid_t child = syscall(SYS_clone, SIGCHLD, 0, 0, 0, 0);
	if (child == 0)
		_exit(0);
	reap(child);

	int pidfd = -1;
	pid_t parent_tid = 0;
	struct clone_args_v2 ca = {
		.flags = 0x1000 /* CLONE_PIDFD */ | 0x100000 /* CLONE_PARENT_SETTID */,
		.pidfd = (uintptr_t)&pidfd,
		.parent_tid = (uintptr_t)&parent_tid,
		.exit_signal = SIGCHLD,
	};
	child = syscall(SYS_clone3, &ca, sizeof(ca));
	if (child == 0)
		_exit(3);
	reap(child);
	struct clone_args_v2 bad = {.flags = 0x4000000000ULL, .exit_signal = 0xffffffffULL};
	syscall(SYS_clone3, &bad, sizeof(bad));

	/* A child killed by a signal, waited for with waitid. It kills itself: killed from
	 * outside, it could be in any state, and strace and mmtrace show it in different ways. */
	child = fork();
	if (child == 0) {
		kill(getpid(), SIGKILL);
		_exit(0);
	}
	siginfo_t info;
	struct rusage ru;
	syscall(SYS_waitid, P_PID, child, &info, WEXITED, &ru);

	signal(SIGUSR1, on_signal);
	signal(SIGUSR2, on_signal);
	signal(SIGRTMIN + 3, on_signal);
	kill(getpid(), 0);
	kill(getpid(), 100);
	syscall(SYS_tkill, gettid(), SIGUSR1);
	syscall(SYS_tgkill, getpid(), gettid(), SIGRTMIN + 3);

	/* A siginfo of one's own: si_errno set, a si_code with no name. */
	memset(&info, 0, sizeof(info));
	info.si_signo = SIGUSR2;
	info.si_errno = ENOMEM;
	info.si_code = 0x1234;
	syscall(SYS_rt_sigqueueinfo, getpid(), SIGUSR2, &info);
	info.si_code = SI_QUEUE;
	info.si_errno = 0;
	info.si_value.sival_int = 7;
	syscall(SYS_rt_tgsigqueueinfo, getpid(), gettid(), SIGUSR2, &info);
	if (pidfd >= 0)
		syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0);
	syscall(SYS_pidfd_send_signal, -1, SIGUSR1, NULL, 0x10);

	/* execve's strings at the edges of -s 0, 1 and 4. */
	char *argv[] = {"", "a", "ab", "abcd", "abcde", NULL};
	char *envp[] = {"X=1", "", NULL};
	child = fork();
	if (child == 0) {
		syscall(SYS_execveat, AT_FDCWD, "/no/such/program", argv, envp, AT_SYMLINK_NOFOLLOW | 0x8000);
		execve("/bin/true", argv, envp);
		_exit(127);
	}
	reap(child);
}

int main(void)
{
	memory_calls();
	process_calls();
	return 0;
}
