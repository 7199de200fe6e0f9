/*
 * agent_control.h - the control connection: the AF_UNIX stream socket on
 * which an agent serves the harness (targets/AGENT-PROTOCOL.md, section 1).
 *
 * Part of targets/common. The lifecycle: control_listen removes a stale file
 * at the path, binds, makes the socket 0666 (the harness may run as another
 * user) and listens; control_accept takes ONE client, then closes the
 * listening socket and removes the file, so a second client is refused
 * instead of left waiting. control_send_line writes one response line.
 */
#ifndef TCPCT_AGENT_CONTROL_H
#define TCPCT_AGENT_CONTROL_H

#include "agent_buf.h"

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>

/* Returns the listening socket on path, or -1 with a one-line reason
 * ("bind /run/tcpct/agent.sock: Permission denied") in err. */
int control_listen(const char *path, char *err, size_t errlen);

/* Waits for the harness on lfd (made by control_listen for path) and
 * returns its connection. Returns -2 as soon as *stop is set (stop may be
 * NULL), with lfd closed and path removed; -1 with errno on a failed accept. */
int control_accept(int lfd, const char *path, const volatile sig_atomic_t *stop);

/* Logs b as a response ('>'), appends '\n' and writes it all to fd.
 * Returns 0, or -1 with errno when the harness is gone. */
int control_send_line(int fd, Buf *b);

/* Writes the error response {"id":..,"ok":false,"errno":errname,"error":msg}
 * (id null unless have_id) like control_send_line. */
int control_send_error(int fd, bool have_id, long long id, const char *errname, const char *msg);

#endif
