/* A thread that maps, protects and unmaps memory while the main thread waits for it. */
#include <pthread.h>
#include <sys/mman.h>

static void *work(void *arg)
{
	(void)arg;
	char *p = mmap(NULL, 65536, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return (void *)1;
	p[0] = 1;
	mprotect(p, 4096, PROT_READ);
	munmap(p, 65536);
	return NULL;
}

int main(void)
{
	pthread_t t;
	void *result;
	if (pthread_create(&t, NULL, work, NULL) != 0)
		return 1;
	pthread_join(t, &result);
	return result != NULL;
}
