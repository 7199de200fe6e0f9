/*
 * agent_control.h - the control connection: the AF_UNIX stream socket on
 * which an agent serves the harness (targets/AGENT-PROTOCOL.md, section 1).
 *
 * Part of targets/common. The lifecycle: control_listen removes a stale file
 * at the path, binds, makes the socket 0666 (the harness may run as another
 * user) and listens; control_accept takes ONE client, then closes the
 * listening socket and removes the file, so a second client is refused
 * instead of left waiting. control_respond writes one response line.
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

/* From here on, responses go to fd, the connection control_accept gave.
 * When a write to it fails the harness is gone: on_gone is called with errno
 * set, to log and exit (it must not return). */
void control_use(int fd, void (*on_gone)(void));

/* Logs b as a response ('>'), appends '\n' and writes it all. */
void control_respond(Buf *b);

/* Writes the error response {"id":..,"ok":false,"errno":errname,"error":msg}
 * (id null unless have_id) the same way. */
void control_respond_error(bool have_id, long long id, const char *errname, const char *msg);

#endif
