/*
 * agent_control.c - the agents' control socket (see agent_control.h).
 */
#define _GNU_SOURCE
#include "agent_control.h"

#include "agent_json.h"
#include "agent_log.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

int control_listen(const char *path, char *err, size_t errlen)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    if (strlen(path) >= sizeof sa.sun_path) {
        snprintf(err, errlen, "control socket path too long: %s", path);
        return -1;
    }
    strcpy(sa.sun_path, path);
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (lfd < 0) {
        snprintf(err, errlen, "socket(AF_UNIX): %s", strerror(errno));
        return -1;
    }
    if (unlink(path) < 0 && errno != ENOENT) {
        snprintf(err, errlen, "cannot remove stale %s: %s", path, strerror(errno));
        close(lfd);
        return -1;
    }
    if (bind(lfd, (struct sockaddr *)&sa, sizeof sa) < 0) {
        snprintf(err, errlen, "bind %s: %s", path, strerror(errno));
        close(lfd);
        return -1;
    }
    if (chmod(path, 0666) < 0 || listen(lfd, 1) < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        close(lfd);
        unlink(path);
        return -1;
    }
    return lfd;
}

int control_accept(int lfd, const char *path, const volatile sig_atomic_t *stop)
{
    int c;
    for (;;) {
        /* a bounded poll, so a signal that only sets *stop is seen in time */
        struct pollfd p = { .fd = lfd, .events = POLLIN };
        int rc = poll(&p, 1, 200);
        if (stop && *stop) {
            close(lfd);
            unlink(path);
            return -2;
        }
        if (rc <= 0)
            continue;
        c = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
        if (c >= 0)
            break;
        if (errno != EINTR && errno != ECONNABORTED && errno != EAGAIN)
            return -1;
    }
    /* One client only: stop listening and remove the socket file. */
    close(lfd);
    unlink(path);
    return c;
}

static int g_fd = -1;
static void (*g_on_gone)(void);

void control_use(int fd, void (*on_gone)(void))
{
    g_fd = fd;
    g_on_gone = on_gone;
}

void control_respond(Buf *b)
{
    agent_log('>', b->p, b->len);
    buf_add(b, "\n", 1);
    size_t off = 0;
    while (off < b->len) {
        ssize_t n = send(g_fd, b->p + off, b->len - off, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            struct pollfd p = { .fd = g_fd, .events = POLLOUT };
            poll(&p, 1, 1000);
            continue;
        }
        if (n <= 0) {
            if (n == 0)
                errno = EPIPE;
            g_on_gone();
            return;
        }
        off += (size_t)n;
    }
}

void control_respond_error(bool have_id, long long id, const char *errname, const char *msg)
{
    Buf b = { 0 };
    json_error_response(&b, have_id, id, errname, msg);
    control_respond(&b);
    buf_free(&b);
}
