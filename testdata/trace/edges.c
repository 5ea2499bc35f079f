/* Every call mmtrace decodes, made with syscall(2) and edge values, as strace's own checks
 * make them: garbage in the upper half of the 32-bit arguments (the kernel reads their low
 * half only), all-ones, unknown flag bits, NULL and bad pointers, structs that cannot be read
 * whole and structs larger than the kernel knows. Each call fails harmlessly (EINVAL, EFAULT,
 * ESRCH, ...) or does nothing that matters, and the program exits 0. Built -m32 too, where a
 * register holds 32 bits and "garbage" is all-ones. */
#define _GNU_SOURCE
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/shm.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#ifdef __LP64__
#define HI(v) ((unsigned long)(v) << 32) /* garbage in the upper half */
#else
#define HI(v) 0UL
#endif
#define ALL (~0UL)
#define BAD 0xbadc0de0UL /* an unmapped address */
#define NOPID 999999UL

#define MPOL_MF_MOVE 2
#ifndef SYS_shmat
#define SYS_shmat 397
#define SYS_shmdt 398
#endif
#ifndef SYS_clone3
#define SYS_clone3 435
#endif
#ifndef SYS_pidfd_send_signal
#define SYS_pidfd_send_signal 424
#endif
#ifndef SYS_set_mempolicy_home_node
#define SYS_set_mempolicy_home_node 450
#endif
#ifndef SYS_mlock2
#define SYS_mlock2 325
#endif
#ifndef SYS_pkey_mprotect
#define SYS_pkey_mprotect 329
#endif

static long page;

/* tail returns an address n bytes before the end of a readable page followed by an unmapped
 * one: a struct there can be read only in part. */
static char *tail(char *two_pages, size_t n)
{
	return two_pages + page - n;
}

static void memory_calls(char *a, char *edge)
{
	/* mmap: fd and offset. The fd's upper half is ignored; EBADF. */
	syscall(SYS_mmap, 0, page, PROT_READ, MAP_PRIVATE, HI(0xdeadbeef) | 99, 0);
	syscall(SYS_mmap, 0, page, ALL, MAP_PRIVATE | HI(0xfacefeed), ALL, ALL); /* EINVAL/EBADF */
	syscall(SYS_munmap, a + 1, ALL);                                        /* EINVAL */
	syscall(SYS_mprotect, a, page, HI(0xdeadbeef) | PROT_READ);             /* EINVAL */
	syscall(SYS_mprotect, a, page, ALL);                                    /* EINVAL */
	syscall(SYS_pkey_mprotect, a, page, PROT_READ | PROT_WRITE, HI(0xdeadbeef) | 0xffffffffUL);
	syscall(SYS_pkey_mprotect, a, page, PROT_READ | PROT_WRITE, HI(0xdeadbeef) | 12345); /* EINVAL */
	syscall(SYS_mremap, a, page, ALL, ALL, ALL);                            /* EINVAL */
	syscall(SYS_mremap, a + 1, page, page, HI(0xdeadbeef) | MREMAP_MAYMOVE | MREMAP_FIXED, BAD);
	syscall(SYS_msync, a, page, HI(0xdeadbeef) | MS_ASYNC);
	syscall(SYS_msync, a, page, ALL);                                       /* EINVAL */
	syscall(SYS_msync, a, page, 0x10);                                      /* EINVAL */
	syscall(SYS_madvise, a, page, HI(0xdeadbeef) | MADV_NORMAL);
	syscall(SYS_madvise, a, page, ALL);                                     /* EINVAL */
	syscall(SYS_madvise, a, page, HI(0xfacefeed) | 999);                    /* EINVAL */
	syscall(SYS_mlock, BAD, ALL);                                           /* ENOMEM/EINVAL */
	syscall(SYS_munlock, BAD, ALL);
	syscall(SYS_mlock2, a, page, HI(0xffffffff) | 0xfffffffeUL | 1);        /* EINVAL */
	syscall(SYS_mlock2, a, page, HI(0xdeadbeef) | 0x10);                    /* EINVAL */
	syscall(SYS_mlock2, BAD, page, HI(0xdeadbeef) | 1);                     /* ENOMEM */
	syscall(SYS_mlockall, HI(0xdeadbeef));                                  /* EINVAL */
	syscall(SYS_mlockall, ALL);                                             /* EINVAL */
	syscall(SYS_mlockall, HI(0xdeadbeef) | 0x10 | MCL_ONFAULT);             /* EINVAL */
	syscall(SYS_munlockall, ALL, ALL);
	syscall(SYS_mincore, a, page, BAD);                                     /* EFAULT */
	syscall(SYS_mincore, a, 3 * page, NULL);                                /* EFAULT */
	syscall(SYS_mincore, BAD, ALL, a);                                      /* EINVAL/ENOMEM */
	syscall(SYS_remap_file_pages, a, page, ALL, ALL, ALL);                  /* EINVAL */
	syscall(SYS_remap_file_pages, BAD, ALL, HI(0xdeadbeef), HI(1), HI(0xfacefeed) | MAP_POPULATE);
	syscall(SYS_shmat, HI(0xdeadbeef) | 0xffffffffUL, NULL, HI(0xfacefeed) | SHM_RDONLY); /* EINVAL */
	syscall(SYS_shmat, ALL, BAD, ALL);                                      /* EINVAL */
	syscall(SYS_shmdt, BAD);                                                /* EINVAL */
	syscall(SYS_io_setup, HI(0xdeadbeef), NULL);                            /* EINVAL */
	syscall(SYS_io_setup, HI(0xdeadbeef) | 1, BAD);                         /* EFAULT */
	syscall(SYS_io_setup, ALL, tail(edge, 4));                              /* EINVAL/EFAULT */
	syscall(SYS_io_destroy, ALL);                                           /* EINVAL */

	unsigned long nodes[2] = {1, 0};
	syscall(SYS_mbind, a, page, HI(0xdefaced), NULL, 0, HI(0xfacefeed) | MPOL_MF_MOVE);
	syscall(SYS_mbind, a, page, ALL, BAD, ALL, ALL);                        /* EINVAL */
	syscall(SYS_mbind, a, page, HI(0xdefaced) | 0x8000 | 2, nodes, 65, HI(1) | 0x8);
	syscall(SYS_mbind, a, page, HI(0xdefaced) | 0x4000 | 77, tail(edge, 8), 200, 0);
	syscall(SYS_set_mempolicy, HI(0xdefaced), NULL, 0);
	syscall(SYS_set_mempolicy, ALL, BAD, ALL);                              /* EINVAL */
	syscall(SYS_set_mempolicy, HI(0xdefaced) | 0x2000 | 1, nodes, 2);       /* EINVAL */
	int mode = -1;
	syscall(SYS_get_mempolicy, &mode, NULL, 0, ALL, HI(0xdeadbeef) | 0x10); /* EINVAL */
	syscall(SYS_get_mempolicy, BAD, BAD, ALL, BAD, ALL);                    /* EINVAL/EFAULT */
	syscall(SYS_get_mempolicy, &mode, nodes, 65, 0, HI(0xdeadbeef));
	syscall(SYS_migrate_pages, HI(0xdeadbeef) | NOPID, 65, nodes, nodes);   /* ESRCH */
	syscall(SYS_migrate_pages, ALL, ALL, BAD, BAD);                         /* ESRCH/EINVAL */
	syscall(SYS_move_pages, HI(0xdeadbeef) | NOPID, 0, NULL, NULL, NULL, HI(0xfacefeed) | MPOL_MF_MOVE);
	syscall(SYS_move_pages, NOPID, 0, NULL, NULL, NULL, 1);               /* ESRCH */
	void *pages[2] = {a, (void *)BAD};
	int where[2] = {0, -1}, status[2] = {-1, -1};
	syscall(SYS_move_pages, HI(0xdeadbeef) | NOPID, 2, pages, where, status, ALL); /* EINVAL/ESRCH */
	syscall(SYS_move_pages, 0, 2, pages, NULL, status, HI(0xdeadbeef));
	syscall(SYS_move_pages, 0, 3, pages, BAD, tail(edge, 4), 0);            /* EFAULT */
	syscall(SYS_set_mempolicy_home_node, a, page, ALL, ALL);                /* EINVAL */
	syscall(SYS_set_mempolicy_home_node, a, page, HI(0xdeadbeef), HI(0xfacefeed)); /* EINVAL */
	syscall(SYS_brk, BAD);
#ifdef SYS_mmap2
	/* i386: mmap2 takes its offset in pages, the old mmap its six arguments in a struct. */
	syscall(SYS_mmap2, 0, page, PROT_READ, MAP_PRIVATE, 99, ALL);          /* EBADF */
	unsigned long old[6] = {0, page, PROT_READ, MAP_PRIVATE, 99, 0x1000};
	syscall(SYS_mmap, old);                                                 /* EBADF */
	memcpy(tail(edge, 20), old, 20);
	syscall(SYS_mmap, tail(edge, 20));                                      /* EFAULT */
	syscall(SYS_mmap, BAD);                                                 /* EFAULT */
#endif
}

/* clone_args is struct clone_args with room past its known end. */
struct clone_args_big {
	uint64_t v[12];
};

/* clone3_calls makes clone3 calls that all fail. big is a zeroed page and more that holds the
 * struct: a struct larger than the kernel's is read up to a page, and what it holds past the
 * known fields is printed. */
static void clone3_calls(struct clone_args_big *big, char *edge)
{
	struct clone_args_big ca;
	memset(&ca, 0, sizeof(ca));
	ca.v[0] = 0x10000;                        /* CLONE_THREAD alone: EINVAL */
	ca.v[4] = SIGCHLD;
	syscall(SYS_clone3, &ca, 64);
	big->v[0] = 0x10000;
	big->v[4] = SIGCHLD;
	syscall(SYS_clone3, big, HI(0xdeadbeef) | 64); /* E2BIG */
	syscall(SYS_clone3, big, 4096 + 8);       /* E2BIG */
	syscall(SYS_clone3, &ca, 63);             /* EINVAL: too small */
	syscall(SYS_clone3, NULL, 88);            /* EFAULT */
	syscall(SYS_clone3, BAD, 88);             /* EFAULT */
	ca.v[11] = 0x1234;                        /* bytes 88..95 of 96 */
	syscall(SYS_clone3, &ca, 96);             /* E2BIG */
	ca.v[11] = 0;
	ca.v[10] = 0xdeadbeef;                    /* the cgroup, a nonzero tail past 80 */
	syscall(SYS_clone3, &ca, 96);             /* EINVAL */
	ca.v[10] = 0;
	syscall(SYS_clone3, &ca, 96);             /* EINVAL: a zero tail */
	ca.v[0] = ALL;                            /* every flag */
	ca.v[4] = ALL;
	ca.v[8] = BAD;                            /* set_tid */
	ca.v[9] = 3;
	syscall(SYS_clone3, &ca, 88);             /* EINVAL */
	/* Sizes that cut a field: its bytes before the cut are read. */
	ca.v[0] = 0x10000;
	ca.v[4] = SIGCHLD;
	ca.v[9] = 0x0102030405060708ULL;
	ca.v[10] = 0x1122334455667788ULL;
	syscall(SYS_clone3, &ca, 66);             /* EINVAL */
	syscall(SYS_clone3, &ca, 70);             /* EINVAL */
	syscall(SYS_clone3, &ca, 78);             /* EINVAL */
	syscall(SYS_clone3, &ca, 85);             /* EINVAL */
	ca.v[10] = 0;
	ca.v[0] = 0x10000 | 0x1000 | 0x100000;    /* CLONE_PIDFD|CLONE_PARENT_SETTID: printed at exit */
	ca.v[4] = 0xffffffffUL;
	ca.v[9] = 0;
	syscall(SYS_clone3, &ca, 88);             /* EINVAL */
	/* A struct the end of which is unmapped. */
	char *p = tail(edge, 72);
	memset(p, 0, 72);
	((uint64_t *)p)[0] = 0x10000;             /* CLONE_THREAD alone: EINVAL */
	syscall(SYS_clone3, p, 72);               /* EINVAL */
	syscall(SYS_clone3, p, 80);               /* EFAULT */
	syscall(SYS_clone3, p, 88);               /* EFAULT */
	syscall(SYS_clone3, tail(edge, 60), 64);  /* EFAULT */
	/* The known struct can be read, what is past it cannot. */
	p = tail(edge, 88);
	memset(p, 0, 88);
	((uint64_t *)p)[0] = 0x10000;
	syscall(SYS_clone3, p, 96);               /* EFAULT */
	((uint64_t *)p)[0] = 0x10000 | 0x1000 | 0x100000;
	syscall(SYS_clone3, p, 96);               /* EFAULT */
}

static void process_calls(char *big, char *edge)
{
	/* clone: invalid flag combinations, so no task is made. */
	syscall(SYS_clone, HI(0xdeadbeef) | 0x10000 | SIGCHLD, BAD, BAD, BAD, BAD); /* EINVAL */
	syscall(SYS_clone, ALL, ALL, ALL, ALL, ALL);                            /* EINVAL */
	syscall(SYS_clone, 0x800 | 0x100000 | 0x80000 | 0x200000 | 0xff, 0, BAD, BAD, BAD); /* EINVAL */
	clone3_calls((struct clone_args_big *)big, edge);

	char *argv[] = {"/nonexistent", NULL};
	syscall(SYS_execve, NULL, NULL, NULL);                                   /* EFAULT */
	syscall(SYS_execve, BAD, BAD, BAD);                                      /* EFAULT */
	syscall(SYS_execve, "/nonexistent", argv, BAD);                          /* ENOENT/EFAULT */
	syscall(SYS_execveat, HI(0xdeadbeef) | 0xffffff9cUL, "/nonexistent", argv, NULL, HI(0xfacefeed) | 0x1000);
	syscall(SYS_execveat, ALL, "", NULL, NULL, ALL);                         /* EINVAL */
	syscall(SYS_execveat, HI(0xdeadbeef) | 99, "x", argv, NULL, HI(1) | 0x100); /* EBADF */

	syscall(SYS_kill, HI(0xdeadbeef) | NOPID, HI(0xfacefeed));               /* ESRCH */
	syscall(SYS_kill, NOPID, ALL);                                           /* EINVAL */
	syscall(SYS_kill, HI(0xdeadbeef) | NOPID, HI(0xfacefeed) | SIGKILL);     /* ESRCH */
	syscall(SYS_tkill, HI(0xdeadbeef) | NOPID, HI(0xfacefeed) | 40);         /* ESRCH */
	syscall(SYS_tgkill, HI(0xdeadbeef) | NOPID, HI(0xdeadbeef) | NOPID, HI(0xfacefeed) | SIGUSR1);
	syscall(SYS_tgkill, ALL, ALL, ALL);                                      /* EINVAL */
	siginfo_t si;
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGUSR1;
	si.si_code = SI_QUEUE;
	syscall(SYS_rt_sigqueueinfo, HI(0xdeadbeef) | NOPID, HI(0xfacefeed) | SIGUSR1, &si); /* ESRCH */
	syscall(SYS_rt_sigqueueinfo, NOPID, SIGUSR1, NULL);                      /* EFAULT */
	syscall(SYS_rt_sigqueueinfo, NOPID, SIGUSR1, tail(edge, 64));            /* EFAULT */
	syscall(SYS_rt_tgsigqueueinfo, HI(0xdeadbeef) | NOPID, HI(1) | NOPID, HI(0xfacefeed) | SIGUSR2, &si);
	syscall(SYS_rt_tgsigqueueinfo, ALL, ALL, ALL, BAD);                      /* EFAULT/EINVAL */
	syscall(SYS_pidfd_send_signal, HI(0xdeadbeef) | 0xffffffffUL, HI(0xfacefeed) | SIGUSR1, NULL, HI(0xdeadbeef));
	syscall(SYS_pidfd_send_signal, ALL, ALL, BAD, ALL);                      /* EINVAL/EBADF */
	syscall(SYS_pidfd_send_signal, HI(0xdeadbeef) | 0, 0, &si, 0);           /* EBADF/EINVAL */

	/* A child that ends by exit, its status's upper half garbage. */
	long forked = syscall(SYS_fork);
	if (forked == 0)
		syscall(SYS_exit, HI(0xdeadbeef) | 3);
	syscall(SYS_wait4, forked, NULL, 0, NULL);
#ifdef SYS_waitpid
	syscall(SYS_waitpid, ALL, BAD, ALL);                                     /* EINVAL */
	syscall(SYS_waitpid, ALL, NULL, WNOHANG);                                /* ECHILD */
#endif

	/* wait4 and waitid, with no child, then with one running and one exited. */
	int st = -1;
	syscall(SYS_wait4, HI(0xdeadbeef) | 0xffffffffUL, &st, HI(0xfacefeed) | WNOHANG, NULL); /* ECHILD */
	syscall(SYS_wait4, ALL, BAD, ALL, BAD);                                  /* EINVAL */
	syscall(SYS_waitid, HI(0xdeadbeef) | P_ALL, HI(0xfacefeed) | 5, BAD, HI(0xdeadbeef) | WEXITED, BAD);
	syscall(SYS_waitid, ALL, ALL, BAD, ALL, BAD);                            /* EINVAL */

	int pipefd[2];
	if (pipe(pipefd) != 0)
		_exit(1);
	pid_t child = fork();
	if (child == 0) {
		char c;
		close(pipefd[1]);
		read(pipefd[0], &c, 1); /* until the parent closes its end */
		_exit(7);
	}
	close(pipefd[0]);
	struct rusage ru;
	memset(&ru, 0xff, sizeof(ru)); /* left as is: nothing was waited for */
	memset(&si, 0xff, sizeof(si));
	syscall(SYS_waitid, HI(0xdeadbeef) | P_ALL, 0, &si, HI(0xfacefeed) | WNOHANG | WEXITED | WSTOPPED | WCONTINUED, &ru);
	syscall(SYS_waitid, HI(0xdeadbeef) | P_PID, HI(0xfacefeed) | child, NULL, WNOHANG | WEXITED | 0x1000000 | 0x20000000 | 0x40000000, &ru);
	syscall(SYS_wait4, HI(0xdeadbeef) | child, &st, HI(0xfacefeed) | WNOHANG | WUNTRACED | 0x80000000, &ru);
	close(pipefd[1]);
	/* The child exits: waited for without its rusage, whose times vary. */
	syscall(SYS_waitid, HI(0xdeadbeef) | P_PID, HI(0xfacefeed) | child, &si, HI(0xfacefeed) | WEXITED | 0x1000000, NULL);
	syscall(SYS_wait4, HI(0xdeadbeef) | child, &st, HI(0xfacefeed), NULL);
}

int main(void)
{
	/* SIGCHLD stays blocked: delivered, its line would come before or after a wait call's
	 * by chance. */
	sigset_t chld;
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, NULL);
	page = sysconf(_SC_PAGESIZE);
	char *a = mmap(NULL, 4 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	/* Two pages, the second unmapped: an object at the end of the first is cut short. */
	char *edge = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	munmap(edge + page, page);
	memory_calls(a, edge);
	process_calls(a + 2 * page, edge);
	munmap(edge, page);
	munmap(a, 4 * page);
	syscall(SYS_exit_group, HI(0xdeadbeef));
	return 1;
}
