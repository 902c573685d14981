/*
 * socket-holder: plays the service manager in tests of socket activation. It listens on 127.0.0.1 (an
 * ephemeral port) and holds that socket for its whole life, as systemd holds a .socket unit's, and starts
 * a command with the listening socket as its stdin (fd 0), as systemd's StandardInput=socket and inetd's
 * "wait" services do. Java cannot hand a descriptor to a child process, hence this small C program,
 * compiled by the test that uses it.
 *
 *   socket-holder COMMAND [ARG]...
 *
 * It prints "holder listening PORT", then obeys one word a line on its stdin:
 *   start  prints "holder starting", then starts COMMAND on the socket (so COMMAND's output comes after)
 *   term   sends the running COMMAND SIGTERM, waits; prints "holder exited CODE" (or "holder killed SIG")
 *   wait   waits for the running COMMAND to end by itself; prints the same
 * End of stdin kills a running COMMAND (SIGKILL) and exits. COMMAND's stdout and stderr are the holder's.
 * While no COMMAND runs, the kernel queues new connections in the socket's backlog: none is refused.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what) {
    fprintf(stderr, "socket-holder: %s: ", what);
    perror(NULL);
    return 1;
}

static void report(pid_t child) {
    int status;
    if (waitpid(child, &status, 0) < 0) {
        perror("socket-holder: waitpid");
    } else if (WIFEXITED(status)) {
        printf("holder exited %d\n", WEXITSTATUS(status));
    } else {
        printf("holder killed %d\n", WTERMSIG(status));
    }
    fflush(stdout);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: socket-holder COMMAND [ARG]...\n");
        return 2;
    }
    int listener = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (listener < 0) return fail("socket");
    int on = 1;
    setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    struct sockaddr_in address = {.sin_family = AF_INET, .sin_port = 0};
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(listener, (struct sockaddr *) &address, sizeof address) < 0) return fail("bind 127.0.0.1:0");
    if (listen(listener, 1024) < 0) return fail("listen");
    socklen_t length = sizeof address;
    if (getsockname(listener, (struct sockaddr *) &address, &length) < 0) return fail("getsockname");
    printf("holder listening %d\n", ntohs(address.sin_port));
    fflush(stdout);

    pid_t child = 0;
    char line[64];
    while (fgets(line, sizeof line, stdin) != NULL) {
        if (strcmp(line, "start\n") == 0 && child == 0) {
            printf("holder starting\n");
            fflush(stdout);
            child = fork();
            if (child < 0) return fail("fork");
            if (child == 0) {
                /* Linux: a holder killed (a failed test's cleanup) takes its child along, not leaving a
                 * JVM that still accepts on the socket */
                prctl(PR_SET_PDEATHSIG, SIGKILL);
                /* dup2 clears close-on-exec on fd 0 only: the child gets the socket there and nowhere else */
                if (dup2(listener, 0) < 0) _exit(fail("dup2"));
                execvp(argv[1], argv + 1);
                _exit(fail(argv[1]));
            }
        } else if (strcmp(line, "term\n") == 0 && child > 0) {
            kill(child, SIGTERM);
            report(child);
            child = 0;
        } else if (strcmp(line, "wait\n") == 0 && child > 0) {
            report(child);
            child = 0;
        } else {
            printf("holder cannot '%.*s' now\n", (int) strcspn(line, "\n"), line);
        }
        fflush(stdout);
    }
    if (child > 0) {
        kill(child, SIGKILL);
        waitpid(child, NULL, 0);
    }
    return 0;
}
