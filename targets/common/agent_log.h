/*
 * agent_log.h - the agents' log on stderr, which the harness keeps with each
 * scenario's results.
 *
 * Part of targets/common. One entry a line: "<monotonic ms> <dir> <text>",
 * dir '<' for a request, '>' for a response, '#' for a note of the agent
 * itself. Control bytes (possible only in malformed requests) are written as
 * \xNN, so an entry never spans lines.
 */
#ifndef TCPCT_AGENT_LOG_H
#define TCPCT_AGENT_LOG_H

#include <stddef.h>

/* Milliseconds of CLOCK_MONOTONIC (time since boot, not namespaced), so log
 * entries can be set against the harness's own monotonic clock. */
long long mono_ms(void);

/* Logs the n bytes of s as one entry with direction mark dir. */
void agent_log(char dir, const char *s, size_t n);

/* Logs a printf-formatted note ('#'); at most 1023 characters are kept. */
void agent_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
