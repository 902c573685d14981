/*
 * The light load generator: the same workloads, arguments (LoadSpec's key=value words) and output lines as
 * the Java LoadGenerator, in C on epoll, so that what it spends per message is small beside any server's and
 * the servers' differences show on a 2-core machine. The runner builds it with gcc at run time.
 *
 *   phase connected N / phase measure-start / phase measure-end / result key=value ...
 *
 * One thread per `threads`, each with its own epoll set and its share of the connections; every byte that
 * comes back is compared with what was sent; latency goes into a log-linear histogram (<1 % error).
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SUB 128                        /* sub-buckets per power of two: under 1 % error */
#define BUCKETS (256 + 40 * SUB)
#define MAX_PENDING_CONNECTS 256
#define CONNECT_TIMEOUT_NS 60000000000LL
#define EVENTS 512

static struct {
    char workload[16], host[64];
    int port, connections, size, threads, sources;
    double rate, warmup, measure;
} spec = {"", "127.0.0.1", 0, 100, 64, 2, 8, 0, 3, 5};

struct conn {
    int fd, idx, received, out_off, in_flight, served, connecting, want_out;
    long sent, due;
    int64_t started;
};

struct driver {
    int index, count, nconns, connected, epfd;
    struct conn *conns;
    long ops, errors;
    uint64_t hist[BUCKETS];
    int64_t max;
    double sum;
    char first_error[160];
    pthread_t thread;
};

static unsigned char *pattern;
static unsigned char scratch_all[64][65536];
static volatile int64_t t_start, t_measure, t_end;
static pthread_barrier_t connected_barrier, start_barrier;
static struct sockaddr_in server;

static int64_t now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static int bucket(int64_t v) {
    if (v < 0) v = 0;
    if (v < 256) return (int)v;
    int msb = 63 - __builtin_clzll((uint64_t)v);
    int e = msb - 7; /* v >> e is in 128..255 */
    int b = 256 + (e - 1) * SUB + (int)((v >> e) - 128);
    return b < BUCKETS ? b : BUCKETS - 1;
}

static double bucket_value(int b) {
    if (b < 256) return b;
    int e = (b - 256) / SUB + 1;
    int64_t low = ((int64_t)((b - 256) % SUB + 128)) << e;
    return low + (double)(1LL << e) / 2; /* the middle of the bucket */
}

static void record(struct driver *d, int64_t ns) {
    d->hist[bucket(ns)]++;
    d->sum += ns;
    if (ns > d->max) d->max = ns;
}

static void note(struct driver *d, const char *what, int err) {
    d->errors++;
    if (!d->first_error[0]) snprintf(d->first_error, sizeof d->first_error, "%s:_%s", what, strerror(err));
}

static void set_events(struct driver *d, struct conn *c, uint32_t ev) {
    struct epoll_event e = {.events = ev, .data.ptr = c};
    epoll_ctl(d->epfd, EPOLL_CTL_MOD, c->fd, &e);
}

static void drop(struct conn *c) {
    if (c->fd >= 0) close(c->fd);
    c->fd = -1;
    c->in_flight = 0;
}

/* Starts a non-blocking connect, bound to a source address if `source` > 0; 0 under way, -1 failed. */
static int open_conn(struct driver *d, struct conn *c, int source) {
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    if (fd < 0) { note(d, "socket", errno); return -1; }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    if (source > 0) {
        struct sockaddr_in src = {.sin_family = AF_INET, .sin_port = 0};
        src.sin_addr.s_addr = htonl((127u << 24) | (unsigned)source);
        if (bind(fd, (struct sockaddr *)&src, sizeof src) < 0) { note(d, "bind", errno); close(fd); return -1; }
    }
    c->fd = fd;
    c->connecting = 1;
    c->want_out = 0;
    c->started = now();
    if (connect(fd, (struct sockaddr *)&server, sizeof server) < 0 && errno != EINPROGRESS) {
        note(d, "connect", errno); drop(c); return -1;
    }
    struct epoll_event e = {.events = EPOLLOUT, .data.ptr = c};
    epoll_ctl(d->epfd, EPOLL_CTL_ADD, fd, &e);
    return 0;
}

/* Completes a connect that epoll says is done: 1 connected, -1 failed (counted and closed). */
static int finish_connect(struct driver *d, struct conn *c) {
    int err = 0;
    socklen_t len = sizeof err;
    getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &len);
    if (err) { note(d, "connect", err); drop(c); return -1; }
    c->connecting = 0;
    set_events(d, c, EPOLLIN);
    return 1;
}

static void send_msg(struct driver *d, struct conn *c, int64_t started) {
    c->started = started;
    c->received = 0;
    c->out_off = 0;
    c->in_flight = 1;
    while (c->out_off < spec.size) {
        ssize_t n = write(c->fd, pattern + c->out_off, spec.size - c->out_off);
        if (n < 0) {
            if (errno == EAGAIN) break;
            note(d, "write", errno); drop(c); return;
        }
        c->out_off += n;
    }
    int want = c->out_off < spec.size;
    if (want != c->want_out) { c->want_out = want; set_events(d, c, want ? EPOLLIN | EPOLLOUT : EPOLLIN); }
}

/* Reads what is there: 1 once the whole message is back, 0 not yet, -1 on an error (counted, closed). */
static int read_msg(struct driver *d, struct conn *c) {
    unsigned char *scratch = scratch_all[d->index];
    int want = spec.size - c->received;
    ssize_t n = read(c->fd, scratch, want < 65536 ? want : 65536);
    if (n < 0) {
        if (errno == EAGAIN) return 0;
        note(d, "read", errno); drop(c); return -1;
    }
    if (n == 0) { note(d, "server closed the connection mid-message", 0); drop(c); return -1; }
    if (memcmp(scratch, pattern + c->received, n) != 0) {
        note(d, "echo differs from what was sent", 0); drop(c); return -1;
    }
    c->received += n;
    if (c->received < spec.size) return 0;
    c->in_flight = 0;
    return 1;
}

static void connect_all(struct driver *d) {
    int64_t deadline = now() + CONNECT_TIMEOUT_NS;
    int opened = 0, pending = 0;
    struct epoll_event ev[EVENTS];
    struct conn *slots = calloc(d->count, sizeof *slots);
    while ((opened < d->count || pending > 0) && now() < deadline) {
        while (opened < d->count && pending < MAX_PENDING_CONNECTS) {
            int global = opened * spec.threads + d->index;
            if (open_conn(d, &slots[opened], 1 + global % spec.sources) == 0) pending++;
            opened++;
        }
        int n = epoll_wait(d->epfd, ev, EVENTS, 100);
        for (int i = 0; i < n; i++) {
            struct conn *c = ev[i].data.ptr;
            pending--;
            if (finish_connect(d, c) > 0) {
                d->conns[d->nconns] = *c; /* the schedule needs indexes 0..n-1 in connect order */
                d->conns[d->nconns].idx = d->nconns;
                set_events(d, &d->conns[d->nconns], EPOLLIN);
                d->nconns++;
            }
        }
    }
    for (int i = 0; i < opened; i++)
        if (slots[i].connecting && slots[i].fd >= 0) drop(&slots[i]);
    d->errors += pending + (d->count - opened);
    free(slots);
    d->connected = d->nconns;
}

/* One completed echo in a closed loop: timed inside the window, then the next message or lane. */
static void closed_done(struct driver *d, struct conn *c, int churn) {
    int64_t t = now();
    if (t >= t_measure && t < t_end) { record(d, t - c->started); d->ops++; }
    if (churn) {
        drop(c); /* the client closes first, as a short-lived client does */
        if (t < t_end) open_conn(d, c, 0);
    } else if (t < t_end) {
        send_msg(d, c, t);
    }
}

static void handle(struct driver *d, struct conn *c, uint32_t events, int churn) {
    if (c->fd < 0) return;
    if (c->connecting) {
        if (finish_connect(d, c) < 0) { if (churn && now() < t_end) open_conn(d, c, 0); return; }
        send_msg(d, c, c->started);
        return;
    }
    if ((events & EPOLLOUT) && c->want_out) {
        ssize_t n = write(c->fd, pattern + c->out_off, spec.size - c->out_off);
        if (n > 0) c->out_off += n;
        if (c->out_off == spec.size) { c->want_out = 0; set_events(d, c, EPOLLIN); }
    }
    if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
        int r = read_msg(d, c);
        if (r > 0) closed_done(d, c, churn);
        else if (r < 0 && churn && now() < t_end) open_conn(d, c, 0);
    }
}

static void closed_loop(struct driver *d, int churn) {
    struct epoll_event ev[EVENTS];
    int64_t t;
    while ((t = now()) < t_end) {
        int64_t ms = (t_end - t) / 1000000;
        int n = epoll_wait(d->epfd, ev, EVENTS, ms < 1 ? 1 : ms > 100 ? 100 : (int)ms);
        for (int i = 0; i < n; i++) handle(d, ev[i].data.ptr, ev[i].events, churn);
    }
}

static int64_t intended(int64_t first, double gap, int n, struct conn *c, long m) {
    return first + (int64_t)((double)(m * n + c->idx) * gap);
}

/* Open loop: message k of this thread goes to connection k % n, due at start + (k*threads + index)/rate. */
static void rate_loop(struct driver *d) {
    int n = d->nconns;
    if (n == 0) return;
    double gap = 1e9 * spec.threads / spec.rate;
    int64_t first = t_start + (int64_t)(1e9 * d->index / spec.rate);
    struct epoll_event ev[EVENTS];
    long k = 0;
    int64_t t;
    while ((t = now()) < t_end) {
        int64_t next;
        while ((next = first + (int64_t)(k * gap)) <= t && next < t_end) {
            struct conn *c = &d->conns[k % n];
            c->due++;
            if (!c->in_flight && c->fd >= 0) { c->sent++; send_msg(d, c, t); }
            k++;
        }
        int64_t wait = (next < t_end ? next : t_end) - t;
        struct timespec ts = {wait / 1000000000LL, wait % 1000000000LL};
        int got = epoll_pwait2(d->epfd, ev, EVENTS, wait > 0 ? &ts : &(struct timespec){0, 0}, NULL);
        for (int i = 0; i < got; i++) {
            struct conn *c = ev[i].data.ptr;
            if (c->fd < 0) continue;
            if ((ev[i].events & EPOLLOUT) && c->want_out) {
                ssize_t w = write(c->fd, pattern + c->out_off, spec.size - c->out_off);
                if (w > 0) c->out_off += w;
                if (c->out_off == spec.size) { c->want_out = 0; set_events(d, c, EPOLLIN); }
            }
            if (!(ev[i].events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || read_msg(d, c) <= 0) continue;
            int64_t done = now();
            int64_t when = intended(first, gap, n, c, c->sent - 1);
            if (done >= t_measure && done < t_end && when >= t_measure) {
                record(d, done - when); d->ops++; c->served = 1;
            }
            if (c->sent < c->due && done < t_end) { c->sent++; send_msg(d, c, done); }
        }
    }
    /* Due in the window and never answered: counted as answered at the end, so a stall is charged whole. */
    for (int i = 0; i < n; i++) {
        struct conn *c = &d->conns[i];
        for (long m = c->in_flight ? c->sent - 1 : c->sent; m < c->due; m++) {
            int64_t when = intended(first, gap, n, c, m);
            if (when >= t_measure) record(d, t_end - when);
        }
    }
}

static void *run(void *arg) {
    struct driver *d = arg;
    d->epfd = epoll_create1(0);
    int churn = strcmp(spec.workload, "churn") == 0;
    if (!churn) connect_all(d);
    pthread_barrier_wait(&connected_barrier);
    pthread_barrier_wait(&start_barrier);
    if (churn) {
        d->nconns = d->count;
        for (int i = 0; i < d->count; i++) { d->conns[i].idx = i; open_conn(d, &d->conns[i], 0); }
        closed_loop(d, 1);
    } else if (strcmp(spec.workload, "pingpong") == 0) {
        int64_t t = now();
        for (int i = 0; i < d->nconns; i++) send_msg(d, &d->conns[i], t);
        closed_loop(d, 0);
    } else {
        rate_loop(d);
    }
    for (int i = 0; i < d->nconns; i++) drop(&d->conns[i]);
    return NULL;
}

static double cpu_seconds(void) {
    struct rusage u;
    getrusage(RUSAGE_SELF, &u);
    return u.ru_utime.tv_sec + u.ru_stime.tv_sec + (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

static void sleep_until(int64_t t) {
    int64_t left;
    while ((left = t - now()) > 0) {
        struct timespec ts = {left / 1000000000LL, left % 1000000000LL};
        nanosleep(&ts, NULL);
    }
}

static void fail(const char *what, const char *value) {
    fprintf(stderr, "loadgen: %s: '%s'\n", what, value);
    exit(2);
}

static int range(const char *key, const char *v, int min, int max) {
    int x = atoi(v);
    if (x < min || x > max) fail(key, v);
    return x;
}

int main(int argc, char **argv) {
    for (int i = 1; i < argc; i++) {
        char *eq = strchr(argv[i], '=');
        if (!eq) fail("expected key=value", argv[i]);
        *eq = 0;
        const char *k = argv[i], *v = eq + 1;
        if (!strcmp(k, "workload")) snprintf(spec.workload, sizeof spec.workload, "%s", v);
        else if (!strcmp(k, "host")) snprintf(spec.host, sizeof spec.host, "%s", v);
        else if (!strcmp(k, "port")) spec.port = range("port out of range 1..65535", v, 1, 65535);
        else if (!strcmp(k, "connections")) spec.connections = range("connections out of range 1..19500", v, 1, 19500);
        else if (!strcmp(k, "size")) spec.size = range("size out of range 1..1048576", v, 1, 1 << 20);
        else if (!strcmp(k, "threads")) spec.threads = range("threads out of range 1..64", v, 1, 64);
        else if (!strcmp(k, "sources")) spec.sources = range("sources out of range 1..250", v, 1, 250);
        else if (!strcmp(k, "rate")) spec.rate = atof(v);
        else if (!strcmp(k, "warmup")) spec.warmup = atof(v);
        else if (!strcmp(k, "measure")) spec.measure = atof(v);
        else fail("unknown load key", k);
    }
    if (strcmp(spec.workload, "pingpong") && strcmp(spec.workload, "churn") && strcmp(spec.workload, "rate"))
        fail("workload must be pingpong, churn or rate", spec.workload);
    if (!strcmp(spec.workload, "rate") && !(spec.rate > 0)) fail("rate mode needs rate > 0", "0");
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    server.sin_family = AF_INET;
    server.sin_port = htons(spec.port);
    if (inet_pton(AF_INET, spec.host, &server.sin_addr) != 1) fail("host must be an IPv4 address", spec.host);
    pattern = malloc(spec.size);
    for (int i = 0; i < spec.size; i++) pattern[i] = (unsigned char)(i * 31 + 7);

    struct driver *ds = calloc(spec.threads, sizeof *ds);
    pthread_barrier_init(&connected_barrier, NULL, spec.threads + 1);
    pthread_barrier_init(&start_barrier, NULL, spec.threads + 1);
    for (int i = 0; i < spec.threads; i++) {
        ds[i].index = i;
        ds[i].count = spec.connections / spec.threads + (i < spec.connections % spec.threads);
        ds[i].conns = calloc(ds[i].count, sizeof(struct conn));
        pthread_create(&ds[i].thread, NULL, run, &ds[i]);
    }
    pthread_barrier_wait(&connected_barrier);
    int connected = 0;
    for (int i = 0; i < spec.threads; i++) connected += ds[i].connected;
    printf("phase connected %d\n", connected);
    fflush(stdout);
    t_start = now() + 5000000;
    t_measure = t_start + (int64_t)(spec.warmup * 1e9);
    t_end = t_measure + (int64_t)(spec.measure * 1e9);
    pthread_barrier_wait(&start_barrier);
    sleep_until(t_measure);
    double cpu0 = cpu_seconds();
    printf("phase measure-start\n");
    fflush(stdout);
    sleep_until(t_end);
    double cpu = cpu_seconds() - cpu0;
    printf("phase measure-end\n");
    fflush(stdout);

    uint64_t hist[BUCKETS] = {0}, count = 0;
    long ops = 0, errors = 0;
    int served = 0;
    int64_t max = 0;
    double sum = 0;
    const char *first = "-";
    for (int i = 0; i < spec.threads; i++) {
        struct driver *d = &ds[i];
        pthread_join(d->thread, NULL);
        for (int b = 0; b < BUCKETS; b++) { hist[b] += d->hist[b]; count += d->hist[b]; }
        ops += d->ops;
        errors += d->errors;
        sum += d->sum;
        if (d->max > max) max = d->max;
        for (int c = 0; c < d->nconns; c++) served += d->conns[c].served;
        if (!strcmp(first, "-") && d->first_error[0]) first = d->first_error;
    }
    double pct[4] = {50, 90, 99, 99.9}, at[4] = {0};
    for (int p = 0; p < 4; p++) {
        uint64_t want = (uint64_t)(pct[p] / 100 * count + 0.999999), seen = 0;
        for (int b = 0; b < BUCKETS && count; b++) {
            seen += hist[b];
            if (seen >= want) { at[p] = bucket_value(b); break; }
        }
    }
    char err[200];
    snprintf(err, sizeof err, "%s", first);
    for (char *p = err; *p; p++) if (*p == ' ' || *p == ',') *p = '_';
    printf("result ops=%ld seconds=%.3f connected=%d served=%d errors=%ld p50=%.1f p90=%.1f p99=%.1f p999=%.1f "
           "max=%.1f mean=%.1f gen_cpu=%.3f first_error=%s\n",
           ops, spec.measure, connected, served, errors, at[0] / 1000, at[1] / 1000, at[2] / 1000, at[3] / 1000,
           max / 1000.0, count ? sum / count / 1000 : 0.0, cpu, err);
    fflush(stdout);
    return 0;
}
