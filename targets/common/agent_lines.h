/*
 * agent_lines.h - request framing: the control connection's byte stream cut
 * into request lines (targets/AGENT-PROTOCOL.md, section 2).
 *
 * Part of targets/common. Bytes go in with lines_feed as they are read;
 * lines_next hands out one complete line at a time, already removed from the
 * buffer (so a command may feed more input while it runs). A line longer than
 * LINE_MAX_BYTES (without its '\n') is reported once as LINES_TOO_LONG and
 * skipped up to its '\n'. line_trim drops a trailing '\r' and surrounding
 * blanks and tells blank lines, which get no response.
 */
#ifndef TCPCT_AGENT_LINES_H
#define TCPCT_AGENT_LINES_H

#include "agent_buf.h"

#include <stdbool.h>
#include <stddef.h>

#define LINE_MAX_BYTES 65536 /* longest request line accepted, without '\n' */

typedef struct {
    Buf in;           /* bytes of the line being received */
    bool discarding;  /* inside an over-long line, skipping to its '\n' */
} LineReader;

typedef enum {
    LINES_NONE,       /* no complete line yet */
    LINES_READY,      /* *line (malloc'd, NUL-terminated; free it) holds *len bytes */
    LINES_TOO_LONG,   /* a line over LINE_MAX_BYTES began: answer it with one EPROTO */
} LinesResult;

void lines_feed(LineReader *r, const char *s, size_t n);
LinesResult lines_next(LineReader *r, char **line, size_t *len);

/* Hands every complete line to on_line (in order; the line is freed after
 * on_line returns) and calls on_too_long once per over-long line. */
void lines_dispatch(LineReader *r, void (*on_line)(const char *line, size_t len), void (*on_too_long)(void));

/* At EOF: the last line, unterminated, as a malloc'd copy (NULL if none). */
char *lines_rest(LineReader *r, size_t *len);

/* Trims the line (*line, *len) in place; returns false when the line is blank. */
bool line_trim(const char **line, size_t *len);

/* The message of the LINES_TOO_LONG error response. */
#define LINES_TOO_LONG_MSG "bad request: line longer than 65536 bytes"

#endif
