/*
 * The measured limit: an echo server with no framework, in C on epoll, one event loop per core, each with
 * its own epoll set; the listening socket is in every set (EPOLLEXCLUSIVE), so whichever loop wakes accepts.
 * A read is written back at once; what the socket will not take yet waits for EPOLLOUT, with reading paused
 * meanwhile (bounded: one read's worth per connection). The runner builds it with gcc at run time.
 *
 *   echo HOST PORT [LOOPS]    prints "listening echo HOST:PORT"; serves until SIGTERM.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

struct conn {
    int fd;
    char *pending; /* what the socket did not take yet, or NULL */
    int len, off;
};

static int listener;

static void drop(int ep, struct conn *c) {
    epoll_ctl(ep, EPOLL_CTL_DEL, c->fd, NULL);
    close(c->fd);
    free(c->pending);
    free(c);
}

/* Writes buf[0..len) and keeps what did not fit; 0 done, 1 waiting for EPOLLOUT, -1 failed. */
static int put(struct conn *c, const char *buf, int len) {
    int off = 0;
    while (off < len) {
        ssize_t n = write(c->fd, buf + off, len - off);
        if (n < 0) {
            if (errno != EAGAIN) return -1;
            c->pending = malloc(len - off);
            memcpy(c->pending, buf + off, len - off);
            c->len = len - off;
            c->off = 0;
            return 1;
        }
        off += n;
    }
    return 0;
}

static void *loop(void *arg) {
    (void)arg;
    int ep = epoll_create1(0);
    struct epoll_event e = {.events = EPOLLIN | EPOLLEXCLUSIVE, .data.ptr = NULL};
    epoll_ctl(ep, EPOLL_CTL_ADD, listener, &e);
    static __thread char buf[65536];
    struct epoll_event ev[512];
    for (;;) {
        int n = epoll_wait(ep, ev, 512, -1);
        for (int i = 0; i < n; i++) {
            struct conn *c = ev[i].data.ptr;
            if (c == NULL) {
                int fd;
                while ((fd = accept4(listener, NULL, NULL, SOCK_NONBLOCK)) >= 0) {
                    int one = 1;
                    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
                    struct conn *nc = calloc(1, sizeof *nc);
                    nc->fd = fd;
                    struct epoll_event ce = {.events = EPOLLIN, .data.ptr = nc};
                    epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ce);
                }
                continue;
            }
            if (c->pending) {
                if (!(ev[i].events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) continue;
                ssize_t w = write(c->fd, c->pending + c->off, c->len - c->off);
                if (w < 0 && errno != EAGAIN) { drop(ep, c); continue; }
                if (w > 0) c->off += w;
                if (c->off == c->len) {
                    free(c->pending);
                    c->pending = NULL;
                    struct epoll_event ce = {.events = EPOLLIN, .data.ptr = c};
                    epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ce);
                }
                continue;
            }
            ssize_t r = read(c->fd, buf, sizeof buf);
            if (r == 0 || (r < 0 && errno != EAGAIN)) { drop(ep, c); continue; }
            if (r < 0) continue;
            int s = put(c, buf, (int)r);
            if (s < 0) { drop(ep, c); continue; }
            if (s > 0) {
                struct epoll_event ce = {.events = EPOLLOUT, .data.ptr = c};
                epoll_ctl(ep, EPOLL_CTL_MOD, c->fd, &ce);
            }
        }
    }
    return NULL;
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: echo HOST PORT [LOOPS]\n");
        return 2;
    }
    int loops = argc > 3 ? atoi(argv[3]) : (int)sysconf(_SC_NPROCESSORS_ONLN);
    if (loops < 1 || loops > 256) {
        fprintf(stderr, "echo: loops out of range 1..256: %s\n", argv[3]);
        return 2;
    }
    struct rlimit rl;
    getrlimit(RLIMIT_NOFILE, &rl);
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(atoi(argv[2]))};
    if (inet_pton(AF_INET, argv[1], &a.sin_addr) != 1) {
        fprintf(stderr, "echo: host must be an IPv4 address: '%s'\n", argv[1]);
        return 2;
    }
    listener = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    int one = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    if (bind(listener, (struct sockaddr *)&a, sizeof a) < 0 || listen(listener, 1024) < 0) {
        fprintf(stderr, "echo: %s:%s: %s\n", argv[1], argv[2], strerror(errno));
        return 1;
    }
    socklen_t len = sizeof a;
    getsockname(listener, (struct sockaddr *)&a, &len);
    printf("listening echo %s:%d\n", argv[1], ntohs(a.sin_port));
    fflush(stdout);
    pthread_t t;
    for (int i = 1; i < loops; i++) pthread_create(&t, NULL, loop, NULL);
    loop(NULL);
    return 0;
}
