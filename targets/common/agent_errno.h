/*
 * agent_errno.h - symbolic errno names for the agent protocol's "errno"
 * member (targets/AGENT-PROTOCOL.md, section 4).
 *
 * Part of targets/common. The table holds the errno values a socket program
 * can meet. Where Linux gives two names the same value (EWOULDBLOCK, ENOTSUP,
 * EDEADLOCK) only the first spelling is listed, so it is the one reported.
 */
#ifndef TCPCT_AGENT_ERRNO_H
#define TCPCT_AGENT_ERRNO_H

#include <stddef.h>

/* The name of errno value e ("ECONNRESET"), or NULL when the table lacks it. */
const char *errno_lookup(int e);

/* The name of e; a value the table lacks is spelled "E<number>" in buf. */
const char *errno_name(int e, char *buf, size_t n);

#endif
