/* The fork-join pool of pool.h. */
#include "pool.h"

#include <pthread.h>

#define MAX_THREADS 64

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t work_ready = PTHREAD_COND_INITIALIZER;
static pthread_cond_t work_done = PTHREAD_COND_INITIALIZER;
static int wanted = 1;      /* threads the loops may use, the caller included */
static int started = 0;     /* workers running */
static uint64_t generation; /* bumped for each parallel call */
static int pending;         /* ranges not finished in the current call */
static struct {
  hn_range_fn fn;
  void *ctx;
  int64_t n;
  int parts;
} job;

static void run_part(int part) {
  const int64_t begin = job.n * part / job.parts, end = job.n * (part + 1) / job.parts;
  if (begin < end) job.fn(job.ctx, begin, end);
}

static void *worker(void *arg) {
  const int index = (int)(intptr_t)arg; /* 1-based: part 0 is the caller's */
  uint64_t seen = 0;
  pthread_mutex_lock(&lock);
  for (;;) {
    while (generation == seen) pthread_cond_wait(&work_ready, &lock);
    seen = generation;
    if (index >= job.parts) continue;
    pthread_mutex_unlock(&lock);
    run_part(index);
    pthread_mutex_lock(&lock);
    if (--pending == 0) pthread_cond_signal(&work_done);
  }
  return NULL;
}

int hn_set_threads(int n) {
  if (n < 1) n = 1;
  if (n > MAX_THREADS) n = MAX_THREADS;
  pthread_mutex_lock(&lock);
  int ok = 0;
  while (started < n - 1) {
    pthread_t thread;
    pthread_attr_t attr;
    pthread_attr_init(&attr);
    pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
    const int err = pthread_create(&thread, &attr, worker, (void *)(intptr_t)(started + 1));
    pthread_attr_destroy(&attr);
    if (err != 0) {
      ok = -1;
      break;
    }
    started++;
  }
  wanted = started + 1 < n ? started + 1 : n;
  pthread_mutex_unlock(&lock);
  return ok;
}

int hn_threads(void) { return wanted; }

void hn_parallel(int64_t n, int64_t grain, hn_range_fn fn, void *ctx) {
  int64_t parts = grain > 0 ? n / grain : n;
  if (parts > wanted) parts = wanted;
  if (parts < 2) {
    if (n > 0) fn(ctx, 0, n);
    return;
  }
  pthread_mutex_lock(&lock);
  job.fn = fn;
  job.ctx = ctx;
  job.n = n;
  job.parts = (int)parts;
  pending = (int)parts - 1;
  generation++;
  pthread_cond_broadcast(&work_ready);
  pthread_mutex_unlock(&lock);
  run_part(0);
  pthread_mutex_lock(&lock);
  while (pending > 0) pthread_cond_wait(&work_done, &lock);
  pthread_mutex_unlock(&lock);
}
