/* Memory calls whose results the program prints, for -e inject= and -e fault=: the main
 * program, a forked child and a thread each make the same calls, one task after the other,
 * so that injections, counted per call and per task, show in the output as in the trace.
 * The program never touches what it maps: an injected return value is printed, not used. */
#define _GNU_SOURCE
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define PAGE 4096UL

struct line {
	char text[2048];
	size_t len;
};

/* note adds "name=result" to the line: the errno's name for a failure, the value for a
 * small one (an injected retval), ok for the rest (addresses differ from run to run). */
static void note(struct line *l, const char *name, long value, int failed)
{
	char result[64];
	if (failed)
		snprintf(result, sizeof result, "%s", strerrorname_np(errno) ? strerrorname_np(errno) : "?");
	else if ((unsigned long)value < 0x100000)
		snprintf(result, sizeof result, "%#lx", (unsigned long)value);
	else
		snprintf(result, sizeof result, "ok");
	l->len += snprintf(l->text + l->len, sizeof l->text - l->len, " %s=%s", name, result);
}

static void calls(const char *who)
{
	struct line l = {.len = 0};
	l.len = snprintf(l.text, sizeof l.text, "%s:", who);
	void *maps[3];
	size_t sizes[3] = {2 * PAGE, 2 * PAGE, 2 * PAGE};
	for (int i = 0; i < 3; i++) {
		maps[i] = mmap(NULL, 2 * PAGE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		note(&l, "mmap", (long)maps[i], maps[i] == MAP_FAILED);
	}
	for (int i = 0; i < 2; i++) {
		int r = mprotect(maps[i], PAGE, PROT_READ);
		note(&l, "mprotect", r, r != 0);
	}
	for (int i = 0; i < 2; i++) {
		int r = madvise(maps[i], PAGE, MADV_DONTNEED);
		note(&l, "madvise", r, r != 0);
	}
	void *grown = mremap(maps[2], 2 * PAGE, 4 * PAGE, MREMAP_MAYMOVE);
	note(&l, "mremap", (long)grown, grown == MAP_FAILED);
	if (grown != MAP_FAILED)
		maps[2] = grown, sizes[2] = 4 * PAGE;
	long brk = syscall(SYS_brk, 0);
	note(&l, "brk", brk, brk == -1);
	for (int i = 0; i < 3; i++) {
		int r = munmap(maps[i], sizes[i]);
		note(&l, "munmap", r, r != 0);
	}
	l.text[l.len++] = '\n';
	if (write(1, l.text, l.len) < 0)
		_exit(3);
}

static void *thread(void *arg)
{
	calls(arg);
	return NULL;
}

int main(void)
{
	calls("main");
	pid_t child = fork();
	if (child == 0) {
		calls("child");
		_exit(0);
	}
	if (child < 0 || waitpid(child, NULL, 0) != child)
		return 1;
	pthread_t t;
	int err = pthread_create(&t, NULL, thread, "thread");
	if (err == 0)
		pthread_join(t, NULL);
	else
		printf("thread: not created: %s\n", strerrorname_np(err));
	fflush(stdout);
	calls("main again");
	return 0;
}
