// Error numbers: their symbolic names (targets/AGENT-PROTOCOL.md section 4)
// and the errno that a netstack error stands for.

package main

import (
	"fmt"
	"syscall"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
)

// errnoNames lists the names the protocol knows, in the order of the
// protocol's table: where two names share a value the first one wins.
var errnoNames = []struct {
	num  syscall.Errno
	name string
}{
	{unix.EPERM, "EPERM"}, {unix.ENOENT, "ENOENT"}, {unix.ESRCH, "ESRCH"}, {unix.EINTR, "EINTR"},
	{unix.EIO, "EIO"}, {unix.ENXIO, "ENXIO"}, {unix.E2BIG, "E2BIG"}, {unix.ENOEXEC, "ENOEXEC"},
	{unix.EBADF, "EBADF"}, {unix.ECHILD, "ECHILD"}, {unix.EAGAIN, "EAGAIN"}, {unix.ENOMEM, "ENOMEM"},
	{unix.EACCES, "EACCES"}, {unix.EFAULT, "EFAULT"}, {unix.EBUSY, "EBUSY"}, {unix.EEXIST, "EEXIST"},
	{unix.EXDEV, "EXDEV"}, {unix.ENODEV, "ENODEV"}, {unix.ENOTDIR, "ENOTDIR"}, {unix.EISDIR, "EISDIR"},
	{unix.EINVAL, "EINVAL"}, {unix.ENFILE, "ENFILE"}, {unix.EMFILE, "EMFILE"}, {unix.ENOTTY, "ENOTTY"},
	{unix.EFBIG, "EFBIG"}, {unix.ENOSPC, "ENOSPC"}, {unix.ESPIPE, "ESPIPE"}, {unix.EROFS, "EROFS"},
	{unix.EMLINK, "EMLINK"}, {unix.EPIPE, "EPIPE"}, {unix.EDOM, "EDOM"}, {unix.ERANGE, "ERANGE"},
	{unix.EDEADLK, "EDEADLK"}, {unix.ENAMETOOLONG, "ENAMETOOLONG"}, {unix.ENOLCK, "ENOLCK"}, {unix.ENOSYS, "ENOSYS"},
	{unix.ENOTEMPTY, "ENOTEMPTY"}, {unix.ELOOP, "ELOOP"}, {unix.ENOMSG, "ENOMSG"}, {unix.EIDRM, "EIDRM"},
	{unix.ENOSTR, "ENOSTR"}, {unix.ENODATA, "ENODATA"}, {unix.ETIME, "ETIME"}, {unix.ENOSR, "ENOSR"},
	{unix.ENONET, "ENONET"}, {unix.ENOLINK, "ENOLINK"}, {unix.EPROTO, "EPROTO"}, {unix.EBADMSG, "EBADMSG"},
	{unix.EOVERFLOW, "EOVERFLOW"}, {unix.EILSEQ, "EILSEQ"}, {unix.ERESTART, "ERESTART"}, {unix.EUSERS, "EUSERS"},
	{unix.ENOTSOCK, "ENOTSOCK"}, {unix.EDESTADDRREQ, "EDESTADDRREQ"}, {unix.EMSGSIZE, "EMSGSIZE"}, {unix.EPROTOTYPE, "EPROTOTYPE"},
	{unix.ENOPROTOOPT, "ENOPROTOOPT"}, {unix.EPROTONOSUPPORT, "EPROTONOSUPPORT"}, {unix.ESOCKTNOSUPPORT, "ESOCKTNOSUPPORT"}, {unix.EOPNOTSUPP, "EOPNOTSUPP"},
	{unix.EPFNOSUPPORT, "EPFNOSUPPORT"}, {unix.EAFNOSUPPORT, "EAFNOSUPPORT"}, {unix.EADDRINUSE, "EADDRINUSE"}, {unix.EADDRNOTAVAIL, "EADDRNOTAVAIL"},
	{unix.ENETDOWN, "ENETDOWN"}, {unix.ENETUNREACH, "ENETUNREACH"}, {unix.ENETRESET, "ENETRESET"}, {unix.ECONNABORTED, "ECONNABORTED"},
	{unix.ECONNRESET, "ECONNRESET"}, {unix.ENOBUFS, "ENOBUFS"}, {unix.EISCONN, "EISCONN"}, {unix.ENOTCONN, "ENOTCONN"},
	{unix.ESHUTDOWN, "ESHUTDOWN"}, {unix.ETOOMANYREFS, "ETOOMANYREFS"}, {unix.ETIMEDOUT, "ETIMEDOUT"}, {unix.ECONNREFUSED, "ECONNREFUSED"},
	{unix.EHOSTDOWN, "EHOSTDOWN"}, {unix.EHOSTUNREACH, "EHOSTUNREACH"}, {unix.EALREADY, "EALREADY"}, {unix.EINPROGRESS, "EINPROGRESS"},
	{unix.ESTALE, "ESTALE"}, {unix.EDQUOT, "EDQUOT"}, {unix.ECANCELED, "ECANCELED"}, {unix.EOWNERDEAD, "EOWNERDEAD"},
	{unix.ENOTRECOVERABLE, "ENOTRECOVERABLE"},
}

// errnoName is the symbolic name of e, or "E<number>" for an unknown one.
func errnoName(e syscall.Errno) string {
	for _, n := range errnoNames {
		if n.num == e {
			return n.name
		}
	}
	return fmt.Sprintf("E%d", int(e))
}

// errnoOf is the errno a netstack error stands for: the translation gVisor's
// own socket layer (the sentry) makes for the same error, so the agent answers
// as an application inside gVisor would see it. 0 means "no error"
// (ErrClosedForReceive, which a read reports as end of stream).
func errnoOf(err tcpip.Error) syscall.Errno {
	switch err.(type) {
	case nil, *tcpip.ErrClosedForReceive:
		return 0
	case *tcpip.ErrUnknownProtocol, *tcpip.ErrAlreadyBound, *tcpip.ErrInvalidEndpointState,
		*tcpip.ErrInvalidOptionValue, *tcpip.ErrMalformedHeader, *tcpip.ErrInvalidPortRange,
		*tcpip.ErrMulticastInputCannotBeOutput, *tcpip.ErrMissingRequiredFields:
		return unix.EINVAL
	case *tcpip.ErrUnknownNICID, *tcpip.ErrUnknownDevice:
		return unix.ENODEV
	case *tcpip.ErrUnknownProtocolOption:
		return unix.ENOPROTOOPT
	case *tcpip.ErrDuplicateNICID, *tcpip.ErrDuplicateAddress:
		return unix.EEXIST
	case *tcpip.ErrHostUnreachable:
		return unix.EHOSTUNREACH
	case *tcpip.ErrNetworkUnreachable:
		return unix.ENETUNREACH
	case *tcpip.ErrAlreadyConnecting:
		return unix.EALREADY
	case *tcpip.ErrAlreadyConnected:
		return unix.EISCONN
	case *tcpip.ErrNoPortAvailable:
		return unix.EAGAIN
	case *tcpip.ErrPortInUse:
		return unix.EADDRINUSE
	case *tcpip.ErrBadLocalAddress:
		return unix.EADDRNOTAVAIL
	case *tcpip.ErrClosedForSend, *tcpip.ErrAborted:
		return unix.EPIPE
	case *tcpip.ErrWouldBlock:
		return unix.EAGAIN
	case *tcpip.ErrConnectionRefused:
		return unix.ECONNREFUSED
	case *tcpip.ErrConnectionReset:
		return unix.ECONNRESET
	case *tcpip.ErrConnectionAborted:
		return unix.ECONNABORTED
	case *tcpip.ErrTimeout:
		return unix.ETIMEDOUT
	case *tcpip.ErrConnectStarted:
		return unix.EINPROGRESS
	case *tcpip.ErrDestinationRequired:
		return unix.EDESTADDRREQ
	case *tcpip.ErrNotSupported:
		return unix.EOPNOTSUPP
	case *tcpip.ErrQueueSizeNotSupported:
		return unix.ENOTTY
	case *tcpip.ErrNotConnected:
		return unix.ENOTCONN
	case *tcpip.ErrNoSuchFile:
		return unix.ENOENT
	case *tcpip.ErrBadAddress, *tcpip.ErrBadBuffer:
		return unix.EFAULT
	case *tcpip.ErrMessageTooLong:
		return unix.EMSGSIZE
	case *tcpip.ErrNoBufferSpace:
		return unix.ENOBUFS
	case *tcpip.ErrBroadcastDisabled:
		return unix.EACCES
	case *tcpip.ErrNotPermitted:
		return unix.EPERM
	case *tcpip.ErrAddressFamilyNotSupported:
		return unix.EAFNOSUPPORT
	default:
		return unix.EIO
	}
}

// agentError is a failed command: the errno and a one-line message.
type agentError struct {
	errno syscall.Errno
	msg   string
}

func (e *agentError) Error() string { return e.msg }

func fail(errno syscall.Errno, format string, args ...interface{}) *agentError {
	return &agentError{errno: errno, msg: fmt.Sprintf(format, args...)}
}

// failNet is the failure of netstack call `call` with err, as
// "<call>: <netstack's description>".
func failNet(call string, err tcpip.Error) *agentError {
	e := errnoOf(err)
	if e == 0 {
		e = unix.EIO
	}
	return &agentError{errno: e, msg: call + ": " + err.String()}
}
