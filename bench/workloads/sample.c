/* sample: the file the benchmark's gcc workload compiles (cc -O2 -c). It is
 * not run; it only needs to give the compiler some real work. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

struct entry {
	char *key;
	uint64_t value;
	struct entry *next;
};

struct table {
	struct entry **buckets;
	size_t nbuckets, count;
};

static uint64_t hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL;
	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

struct table *table_new(size_t nbuckets)
{
	struct table *t = calloc(1, sizeof *t);
	if (t == NULL)
		return NULL;
	t->buckets = calloc(nbuckets, sizeof *t->buckets);
	if (t->buckets == NULL) {
		free(t);
		return NULL;
	}
	t->nbuckets = nbuckets;
	return t;
}

int table_put(struct table *t, const char *key, uint64_t value)
{
	size_t i = hash(key) % t->nbuckets;
	for (struct entry *e = t->buckets[i]; e != NULL; e = e->next) {
		if (strcmp(e->key, key) == 0) {
			e->value = value;
			return 0;
		}
	}
	struct entry *e = malloc(sizeof *e);
	if (e == NULL || (e->key = strdup(key)) == NULL) {
		free(e);
		return -1;
	}
	e->value = value;
	e->next = t->buckets[i];
	t->buckets[i] = e;
	t->count++;
	return 0;
}

uint64_t table_sum(const struct table *t)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < t->nbuckets; i++)
		for (const struct entry *e = t->buckets[i]; e != NULL; e = e->next)
			sum += e->value;
	return sum;
}
