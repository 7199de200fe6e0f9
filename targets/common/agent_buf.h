/*
 * agent_buf.h - a growable byte buffer, always NUL-terminated.
 *
 * Part of targets/common, the plumbing shared by the C agents (linux, lwip,
 * slirp). Responses are built in a Buf, one line at a time; the control
 * connection's input waits in one until a whole line has arrived.
 *
 * A Buf starts as { 0 } (no memory). Running out of memory ends the agent
 * (agent_oom): an agent that cannot build its answer has no better choice.
 */
#ifndef TCPCT_AGENT_BUF_H
#define TCPCT_AGENT_BUF_H

#include <stddef.h>

typedef struct {
    char *p;          /* NULL until the first byte is added; then p[len] == '\0' */
    size_t len, cap;
} Buf;

/* Prints "agent: out of memory" on stderr and exits with status 1. */
void agent_oom(void) __attribute__((noreturn));

/* Makes room for extra more bytes (and the NUL after them). */
void buf_reserve(Buf *b, size_t extra);
/* Appends n bytes of s (which may hold NULs). */
void buf_add(Buf *b, const char *s, size_t n);
/* Appends the C string s. */
void buf_puts(Buf *b, const char *s);
/* Appends printf-formatted text, of any length. */
void buf_printf(Buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Empties b, keeping its memory. */
void buf_reset(Buf *b);
/* Frees b's memory; b is { 0 } again. */
void buf_free(Buf *b);

#endif
