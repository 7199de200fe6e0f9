/*
 * agent_lines.c - request framing of the control connection (see
 * agent_lines.h).
 */
#include "agent_lines.h"

#include <stdlib.h>
#include <string.h>

void lines_feed(LineReader *r, const char *s, size_t n)
{
    buf_add(&r->in, s, n);
}

/* Removes the first n bytes of the buffer. */
static void drop(LineReader *r, size_t n)
{
    memmove(r->in.p, r->in.p + n, r->in.len - n);
    r->in.len -= n;
    r->in.p[r->in.len] = '\0';
}

static char *copy(const char *s, size_t n)
{
    char *c = malloc(n + 1);
    if (!c)
        agent_oom();
    memcpy(c, s, n);
    c[n] = '\0';
    return c;
}

LinesResult lines_next(LineReader *r, char **line, size_t *len)
{
    for (;;) {
        char *nl = r->in.len ? memchr(r->in.p, '\n', r->in.len) : NULL;
        if (!nl) {
            if (r->in.len <= LINE_MAX_BYTES)
                return LINES_NONE;
            /* more than LINE_MAX_BYTES and still no '\n': too long */
            buf_reset(&r->in);
            if (r->discarding)
                return LINES_NONE;
            r->discarding = true;
            return LINES_TOO_LONG;
        }
        size_t n = (size_t)(nl - r->in.p);
        if (r->discarding) { /* the end of an over-long line */
            r->discarding = false;
            drop(r, n + 1);
            continue;
        }
        if (n > LINE_MAX_BYTES) {
            drop(r, n + 1);
            return LINES_TOO_LONG;
        }
        *line = copy(r->in.p, n);
        *len = n;
        drop(r, n + 1);
        return LINES_READY;
    }
}

void lines_dispatch(LineReader *r, void (*on_line)(const char *line, size_t len), void (*on_too_long)(void))
{
    char *line;
    size_t len;
    LinesResult res;
    while ((res = lines_next(r, &line, &len)) != LINES_NONE) {
        if (res == LINES_TOO_LONG) {
            on_too_long();
            continue;
        }
        on_line(line, len);
        free(line);
    }
}

char *lines_rest(LineReader *r, size_t *len)
{
    if (r->discarding || r->in.len == 0)
        return NULL;
    char *c = copy(r->in.p, r->in.len);
    *len = r->in.len;
    buf_reset(&r->in);
    return c;
}

bool line_trim(const char **line, size_t *len)
{
    const char *s = *line;
    size_t n = *len;
    while (n > 0 && (s[n - 1] == '\r' || s[n - 1] == ' ' || s[n - 1] == '\t'))
        n--;
    while (n > 0 && (*s == ' ' || *s == '\t')) {
        s++;
        n--;
    }
    *line = s;
    *len = n;
    return n > 0;
}
