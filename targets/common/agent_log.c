/*
 * agent_log.c - the agents' stderr log (see agent_log.h).
 */
#include "agent_log.h"

#include "agent_buf.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

long long mono_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* The entry is assembled first and written with one fwrite, so entries of
 * two threads (lwIP's agent has several) do not interleave within a line. */
void agent_log(char dir, const char *s, size_t n)
{
    Buf b = { 0 };
    buf_printf(&b, "%lld %c ", mono_ms(), dir);
    size_t start = 0;
    for (size_t i = 0; i < n; i++) {
        unsigned char c = (unsigned char)s[i];
        if (c < 0x20 || c == 0x7f) {
            buf_add(&b, s + start, i - start);
            buf_printf(&b, "\\x%02x", c);
            start = i + 1;
        }
    }
    buf_add(&b, s + start, n - start);
    buf_add(&b, "\n", 1);
    fwrite(b.p, 1, b.len, stderr);
    fflush(stderr);
    buf_free(&b);
}

void agent_note(const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    agent_log('#', msg, strlen(msg));
}
