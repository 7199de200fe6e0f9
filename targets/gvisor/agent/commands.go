// The agent's commands (targets/AGENT-PROTOCOL.md section 5), carried out on
// netstack's tcpip.Endpoint API the way gVisor's own socket layer (the sentry)
// carries out the matching socket calls.

package main

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"net"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/stack"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
	"gvisor.dev/gvisor/pkg/waiter"
)

const (
	defaultBacklog   = 16
	defaultTimeoutMs = 1000
	defaultRecvMax   = 65536
	maxRecv          = 1048576
	maxTimeoutMs     = 3600000
	// maxListenBacklog is the cap gVisor's listen(2) puts on a backlog.
	maxListenBacklog = 1024
	// firstSock is the first socket number handed out (like a descriptor
	// after stdin, stdout and stderr); numbers are reused after a close.
	firstSock = 3
	maxSocks  = 65536
)

// commandNames lists every command the agent implements, for hello.
var commandNames = []string{"hello", "socket", "setsockopt", "getsockopt", "listen", "accept", "connect",
	"send", "recv", "shutdown", "close", "abort", "states", "reset", "bye", "tcpinfo", "errqueue", "bind", "address"}

// hiddenStates lists the RFC 9293 states of netstack that the agent cannot see.
// RegisteredEndpoints() holds listeners, handshakes in SYN-RECEIVED (passive and
// simultaneous opens), every synchronized state and TIME-WAIT, so none is hidden.
// (A handshake answered with a SYN cookie has no endpoint at all: see README.)
var hiddenStates = []string{}

// sock is a socket the agent owns: a netstack TCP endpoint and its waiter queue.
type sock struct {
	ep tcpip.Endpoint
	wq *waiter.Queue
	// proto is the socket's family: ipv4.ProtocolNumber (inet) or ipv6's (inet6).
	proto tcpip.NetworkProtocolNumber
}

type agent struct {
	stack   *stack.Stack
	info    netstackInfo
	socks   map[int]*sock
	bye     bool
	waitEnd func() <-chan struct{} // closed when the harness hangs up
}

type handler func(a *agent, r request) (*response, *agentError)

var handlers = map[string]handler{
	"hello":      (*agent).cmdHello,
	"socket":     (*agent).cmdSocket,
	"setsockopt": (*agent).cmdSetsockopt,
	"getsockopt": (*agent).cmdGetsockopt,
	"listen":     (*agent).cmdListen,
	"accept":     (*agent).cmdAccept,
	"connect":    (*agent).cmdConnect,
	"send":       (*agent).cmdSend,
	"recv":       (*agent).cmdRecv,
	"shutdown":   (*agent).cmdShutdown,
	"close":      (*agent).cmdClose,
	"abort":      (*agent).cmdAbort,
	"states":     (*agent).cmdStates,
	"reset":      (*agent).cmdReset,
	"bye":        (*agent).cmdBye,
	"tcpinfo":    (*agent).cmdTcpinfo,
	"errqueue":   (*agent).cmdErrqueue,
	"bind":       (*agent).cmdBind,
	"address":    (*agent).cmdAddress,
}

// ---------------------------------------------------------------- arguments

func argInt(r request, name string, required bool, def, min, max int64) (int64, *agentError) {
	v, ok := r[name]
	if !ok || v.kind == kindNull {
		if required {
			return 0, fail(unix.EINVAL, "missing argument %q", name)
		}
		return def, nil
	}
	if v.kind != kindInt {
		return 0, fail(unix.EINVAL, "argument %q must be an integer", name)
	}
	if v.num < min || v.num > max {
		return 0, fail(unix.EINVAL, "argument %q must be between %d and %d, not %d", name, min, max, v.num)
	}
	return v.num, nil
}

func argStr(r request, name string, required bool, def string) (string, *agentError) {
	v, ok := r[name]
	if !ok || v.kind == kindNull {
		if required {
			return "", fail(unix.EINVAL, "missing argument %q", name)
		}
		return def, nil
	}
	if v.kind != kindString {
		return "", fail(unix.EINVAL, "argument %q must be a string", name)
	}
	return v.str, nil
}

// noUrgentData refuses "oob": true on send and recv (agent protocol 5b) with ENOSYS: netstack has no urgent data
// (no MSG_OOB in tcpip.ReadOptions or WriteOptions, SO_OOBINLINE always on, the urgent pointer never read), and
// hello names no "oob" feature, so the harness does not ask; an "oob": false is the ordinary call.
func noUrgentData(r request, call string) *agentError {
	v, ok := r["oob"]
	if !ok || v.kind == kindNull || (v.kind == kindBool && !v.b) {
		return nil
	}
	if v.kind != kindBool {
		return fail(unix.EINVAL, "argument \"oob\" must be true or false")
	}
	return fail(unix.ENOSYS, "%s with oob: gVisor's netstack has no urgent data (no MSG_OOB)", call)
}

// argSock reads "sock"; with required false, a missing sock gives (0, nil).
func (a *agent) argSock(r request, required bool) (int, *sock, *agentError) {
	v, ok := r["sock"]
	if !ok || v.kind == kindNull {
		if required {
			return 0, nil, fail(unix.EINVAL, "missing argument \"sock\"")
		}
		return 0, nil, nil
	}
	if v.kind != kindInt {
		return 0, nil, fail(unix.EINVAL, "argument \"sock\" must be an integer")
	}
	s, owned := a.socks[int(v.num)]
	if !owned || v.num != int64(int(v.num)) {
		return 0, nil, fail(unix.EBADF, "sock %d is not a socket owned by the agent", v.num)
	}
	return int(v.num), s, nil
}

// argAddr parses an "addr" argument: a bare IP address, IPv6 ones in brackets
// or not, with the network protocol it belongs to (a v4-mapped IPv6 address
// counts as IPv4). The wildcard addresses 0.0.0.0 and :: are "".
func argAddr(r request, required bool, def string) (tcpip.Address, tcpip.NetworkProtocolNumber, *agentError) {
	text, err := argStr(r, "addr", required, def)
	if err != nil {
		return "", 0, err
	}
	bare := text
	if strings.HasPrefix(bare, "[") && strings.HasSuffix(bare, "]") {
		bare = bare[1 : len(bare)-1]
	}
	ip := net.ParseIP(bare)
	if ip == nil {
		return "", 0, fail(unix.EINVAL, "argument \"addr\" is not an IP address: %q", clip(text))
	}
	if v4 := ip.To4(); v4 != nil {
		if v4.Equal(net.IPv4zero) {
			return "", ipv4.ProtocolNumber, nil
		}
		return tcpip.Address(v4), ipv4.ProtocolNumber, nil
	}
	if ip.Equal(net.IPv6unspecified) {
		return "", ipv6.ProtocolNumber, nil
	}
	return tcpip.Address(ip.To16()), ipv6.ProtocolNumber, nil
}

// forSock fits an address of protocol proto to socket s: an IPv6 address for
// an IPv4 socket is an error; an IPv4 one for an IPv6 socket becomes its
// v4-mapped form (netstack's dual-stack endpoints take those).
func forSock(s *sock, addr tcpip.Address, proto tcpip.NetworkProtocolNumber, text string) (tcpip.Address, *agentError) {
	if s.proto == proto {
		return addr, nil
	}
	if s.proto == ipv4.ProtocolNumber {
		return "", fail(unix.EAFNOSUPPORT, "argument \"addr\": %s is an IPv6 address given for an inet (IPv4) socket", clip(text))
	}
	if addr == "" {
		return "", nil
	}
	return tcpip.Address("\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff" + string(addr)), nil
}

// ---------------------------------------------------------------- addresses

func formatAddr(addr tcpip.Address, port uint16) string {
	switch len(addr) {
	case 0:
		return "0.0.0.0:" + strconv.Itoa(int(port))
	case 4:
		return net.IP(addr).String() + ":" + strconv.Itoa(int(port))
	default:
		ip := net.IP(addr)
		if v4 := ip.To4(); v4 != nil {
			return v4.String() + ":" + strconv.Itoa(int(port))
		}
		return "[" + ip.String() + "]:" + strconv.Itoa(int(port))
	}
}

func localOf(ep tcpip.Endpoint) string {
	fa, err := ep.GetLocalAddress()
	if err != nil {
		return "0.0.0.0:0"
	}
	return formatAddr(fa.Addr, fa.Port)
}

func remoteOf(ep tcpip.Endpoint) string {
	fa, err := ep.GetRemoteAddress()
	if err != nil {
		return "0.0.0.0:0"
	}
	return formatAddr(fa.Addr, fa.Port)
}

// ---------------------------------------------------------------- sockets

func (a *agent) newEndpoint(proto tcpip.NetworkProtocolNumber) (*sock, *agentError) {
	if len(a.socks) >= maxSocks-firstSock {
		return nil, fail(unix.EMFILE, "socket: the agent holds %d sockets already", len(a.socks))
	}
	wq := &waiter.Queue{}
	ep, err := a.stack.NewEndpoint(tcp.ProtocolNumber, proto, wq)
	if err != nil {
		return nil, failNet("socket", err)
	}
	return &sock{ep: ep, wq: wq, proto: proto}, nil
}

// own gives s the lowest free socket number.
func (a *agent) own(s *sock) int {
	n := firstSock
	for a.socks[n] != nil {
		n++
	}
	a.socks[n] = s
	return n
}

// abortSock closes s with SO_LINGER on and a linger time of 0, as the socket
// API's abort: netstack then resets a synchronized connection (RST) instead
// of closing it.
//
// Not in a handshake state: netstack's linger-0 close of an endpoint in
// SYN-RECEIVED (reached by a simultaneous open) builds its RST from the
// endpoint's sender, which does not exist before ESTABLISHED, and crashes the
// whole stack (nil pointer dereference in resetConnectionLocked). There, and in
// SYN-SENT where linger 0 changes nothing, the endpoint gets a plain close,
// which in netstack drops the handshake without sending anything. States only
// move forward from a handshake, so a state read as synchronized here cannot
// turn back into SYN-RECEIVED before the close.
func abortSock(s *sock) {
	if !inHandshake(s) {
		s.ep.SocketOptions().SetLinger(tcpip.LingerOption{Enabled: true, Timeout: 0})
	}
	s.ep.Close()
}

// inHandshake tells whether s is in SYN-SENT or SYN-RECEIVED (or netstack's
// CONNECTING, just before the first SYN), where netstack has no sender yet.
func inHandshake(s *sock) bool {
	switch tcp.EndpointState(s.ep.State()) {
	case tcp.StateConnecting, tcp.StateSynSent, tcp.StateSynRecv:
		return true
	}
	return false
}

// waitEvent waits until ready() is true, an event of mask arrives on s (then
// ready is asked again), timeout passes (false) or the harness hangs up (the
// agent exits).
func (a *agent) waitEvent(s *sock, mask waiter.EventMask, timeout time.Duration, ready func() bool) bool {
	entry, ch := waiter.NewChannelEntry(mask)
	s.wq.EventRegister(&entry)
	defer s.wq.EventUnregister(&entry)
	if ready() {
		return true
	}
	if timeout <= 0 {
		return false
	}
	timer := time.NewTimer(timeout)
	defer timer.Stop()
	for {
		select {
		case <-ch:
			if ready() {
				return true
			}
		case <-timer.C:
			return ready()
		case <-a.waitEnd():
			exitOnHangup()
		}
	}
}

// ---------------------------------------------------------------- commands

func (a *agent) cmdHello(r request) (*response, *agentError) {
	res := &response{}
	res.str("agent", agentName)
	res.int("protocol", protocolVersion)
	res.str("stack", stackDescription())
	res.str("probe", "agent")
	res.strs("commands", commandNames)
	res.strs("hiddenStates", hiddenStates)
	res.strs("families", []string{"inet", "inet6"})
	res.str("link", fmt.Sprintf("%s %s (AF_PACKET, ifindex %d, MTU %d) as %s/%d and %s/%d", linkName, a.info.mac, a.info.ifindex, a.info.mtu,
		stackAddr, stackPrefix, stackAddr6, stackPrefix6))
	res.str("defaults", tcpDefaults(a.stack))
	return res, nil
}

func stackDescription() string {
	return fmt.Sprintf("gVisor netstack %s (Debian golang-gvisor-gvisor-dev), %s", stackVersion, runtime.Version())
}

func (a *agent) cmdSocket(r request) (*response, *agentError) {
	family, err := argStr(r, "family", false, "inet")
	if err != nil {
		return nil, err
	}
	var proto tcpip.NetworkProtocolNumber
	switch family {
	case "inet":
		proto = ipv4.ProtocolNumber
	case "inet6":
		proto = ipv6.ProtocolNumber
	default:
		return nil, fail(unix.EINVAL, "argument \"family\" must be \"inet\" or \"inet6\", not %q", clip(family))
	}
	s, err := a.newEndpoint(proto)
	if err != nil {
		return nil, err
	}
	res := &response{}
	res.int("sock", int64(a.own(s)))
	return res, nil
}

// socketOptions are the option names of the protocol's setsockopt table.
var socketOptions = map[string]bool{
	"SO_REUSEADDR": true, "SO_KEEPALIVE": true, "SO_RCVBUF": true, "SO_SNDBUF": true, "SO_LINGER": true,
	"TCP_NODELAY": true, "TCP_MAXSEG": true, "TCP_SYNCNT": true, "TCP_LINGER2": true, "TCP_USER_TIMEOUT": true,
	"TCP_KEEPIDLE": true, "TCP_KEEPINTVL": true, "TCP_KEEPCNT": true, "TCP_DEFER_ACCEPT": true,
	"TCP_QUICKACK": true, "TCP_WINDOW_CLAMP": true,
	"IP_TTL": true, "IP_TOS": true, "IPV6_UNICAST_HOPS": true, "IPV6_TCLASS": true,
	"IP_RECVERR": true, "IPV6_RECVERR": true, // protocol section 5d: netstack's SocketOptions error queue
}

func (a *agent) cmdSetsockopt(r request) (*response, *agentError) {
	_, s, err := a.argSock(r, true)
	if err != nil {
		return nil, err
	}
	name, err := argStr(r, "name", true, "")
	if err != nil {
		return nil, err
	}
	var v int64
	if m, ok := r["value"]; ok && m.kind == kindBool {
		if m.b {
			v = 1
		}
	} else if v, err = argInt(r, "value", true, 0, math.MinInt32, math.MaxInt32); err != nil {
		return nil, err
	}
	if name == "SO_ERROR" {
		return nil, fail(unix.ENOPROTOOPT, "setsockopt(SO_ERROR): the option is read-only")
	}
	if !socketOptions[name] {
		return nil, fail(unix.ENOPROTOOPT, "setsockopt: unknown option %q", clip(name))
	}
	ep, ops := s.ep, s.ep.SocketOptions()
	call := "setsockopt(" + name + ")"
	var terr tcpip.Error
	switch name {
	case "SO_REUSEADDR":
		ops.SetReuseAddress(v != 0)
	case "SO_KEEPALIVE":
		ops.SetKeepAlive(v != 0)
	case "SO_RCVBUF":
		ops.SetReceiveBufferSize(v, true)
	case "SO_SNDBUF":
		ops.SetSendBufferSize(v, true)
	case "SO_LINGER":
		if v >= 0 {
			ops.SetLinger(tcpip.LingerOption{Enabled: true, Timeout: time.Duration(v) * time.Second})
		} else {
			ops.SetLinger(tcpip.LingerOption{})
		}
	case "TCP_NODELAY":
		ops.SetDelayOption(v == 0)
	case "TCP_MAXSEG":
		terr = ep.SetSockOptInt(tcpip.MaxSegOption, int(v))
	case "TCP_SYNCNT":
		terr = ep.SetSockOptInt(tcpip.TCPSynCountOption, int(v))
	case "TCP_LINGER2":
		opt := tcpip.TCPLingerTimeoutOption(time.Duration(v) * time.Second)
		terr = ep.SetSockOpt(&opt)
	case "TCP_USER_TIMEOUT":
		if v < 0 {
			return nil, fail(unix.EINVAL, "%s: negative timeout", call)
		}
		opt := tcpip.TCPUserTimeoutOption(time.Duration(v) * time.Millisecond)
		terr = ep.SetSockOpt(&opt)
	case "IP_TTL":
		terr = ep.SetSockOptInt(tcpip.IPv4TTLOption, int(v))
	case "IP_TOS":
		terr = ep.SetSockOptInt(tcpip.IPv4TOSOption, int(v))
	case "IPV6_UNICAST_HOPS":
		terr = ep.SetSockOptInt(tcpip.IPv6HopLimitOption, int(v))
	case "IPV6_TCLASS":
		terr = ep.SetSockOptInt(tcpip.IPv6TrafficClassOption, int(v))
	case "IP_RECVERR":
		ops.SetIPv4RecvError(v != 0)
	case "IPV6_RECVERR":
		ops.SetIPv6RecvError(v != 0)
	case "TCP_KEEPIDLE":
		if v < 1 || v > 32767 {
			return nil, fail(unix.EINVAL, "%s: must be 1..32767 s", call)
		}
		opt := tcpip.KeepaliveIdleOption(time.Duration(v) * time.Second)
		terr = ep.SetSockOpt(&opt)
	case "TCP_KEEPINTVL":
		if v < 1 || v > 32767 {
			return nil, fail(unix.EINVAL, "%s: must be 1..32767 s", call)
		}
		opt := tcpip.KeepaliveIntervalOption(time.Duration(v) * time.Second)
		terr = ep.SetSockOpt(&opt)
	case "TCP_KEEPCNT":
		if v < 1 || v > 127 {
			return nil, fail(unix.EINVAL, "%s: must be 1..127", call)
		}
		terr = ep.SetSockOptInt(tcpip.KeepaliveCountOption, int(v))
	case "TCP_DEFER_ACCEPT":
		if v < 0 {
			v = 0
		}
		opt := tcpip.TCPDeferAcceptOption(time.Duration(v) * time.Second)
		terr = ep.SetSockOpt(&opt)
	case "TCP_QUICKACK":
		ops.SetQuickAck(v != 0)
	case "TCP_WINDOW_CLAMP":
		terr = ep.SetSockOptInt(tcpip.TCPWindowClampOption, int(v))
	}
	if terr != nil {
		return nil, failNet(call, terr)
	}
	return &response{}, nil
}

func boolInt(b bool) int64 {
	if b {
		return 1
	}
	return 0
}

func (a *agent) cmdGetsockopt(r request) (*response, *agentError) {
	_, s, err := a.argSock(r, true)
	if err != nil {
		return nil, err
	}
	name, err := argStr(r, "name", true, "")
	if err != nil {
		return nil, err
	}
	if name != "SO_ERROR" && !socketOptions[name] {
		return nil, fail(unix.ENOPROTOOPT, "getsockopt: unknown option %q", clip(name))
	}
	ep, ops := s.ep, s.ep.SocketOptions()
	call := "getsockopt(" + name + ")"
	res := &response{}
	var v int64
	var terr tcpip.Error
	getInt := func(opt tcpip.SockOptInt) {
		var n int
		n, terr = ep.GetSockOptInt(opt)
		v = int64(n)
	}
	switch name {
	case "SO_ERROR":
		e := errnoOf(ep.LastError())
		res.int("value", int64(e))
		if e == 0 {
			res.null("error")
		} else {
			res.str("error", errnoName(e))
		}
		return res, nil
	case "SO_REUSEADDR":
		v = boolInt(ops.GetReuseAddress())
	case "SO_KEEPALIVE":
		v = boolInt(ops.GetKeepAlive())
	case "SO_RCVBUF":
		v = ops.GetReceiveBufferSize()
	case "SO_SNDBUF":
		v = ops.GetSendBufferSize()
	case "SO_LINGER":
		l := ops.GetLinger()
		v = -1
		if l.Enabled {
			v = int64(l.Timeout / time.Second)
		}
	case "TCP_NODELAY":
		v = boolInt(!ops.GetDelayOption())
	case "TCP_MAXSEG":
		getInt(tcpip.MaxSegOption)
	case "TCP_SYNCNT":
		getInt(tcpip.TCPSynCountOption)
	case "TCP_LINGER2":
		var opt tcpip.TCPLingerTimeoutOption
		terr = ep.GetSockOpt(&opt)
		v = int64(time.Duration(opt) / time.Second)
		if opt < 0 {
			v = -1
		}
	case "TCP_USER_TIMEOUT":
		var opt tcpip.TCPUserTimeoutOption
		terr = ep.GetSockOpt(&opt)
		v = int64(time.Duration(opt) / time.Millisecond)
	case "TCP_KEEPIDLE":
		var opt tcpip.KeepaliveIdleOption
		terr = ep.GetSockOpt(&opt)
		v = int64(time.Duration(opt) / time.Second)
	case "TCP_KEEPINTVL":
		var opt tcpip.KeepaliveIntervalOption
		terr = ep.GetSockOpt(&opt)
		v = int64(time.Duration(opt) / time.Second)
	case "TCP_KEEPCNT":
		getInt(tcpip.KeepaliveCountOption)
	case "TCP_DEFER_ACCEPT":
		var opt tcpip.TCPDeferAcceptOption
		terr = ep.GetSockOpt(&opt)
		v = int64(time.Duration(opt) / time.Second)
	case "TCP_QUICKACK":
		v = boolInt(ops.GetQuickAck())
	case "TCP_WINDOW_CLAMP":
		getInt(tcpip.TCPWindowClampOption)
	case "IP_TTL":
		getInt(tcpip.IPv4TTLOption)
	case "IP_TOS":
		getInt(tcpip.IPv4TOSOption)
	case "IPV6_UNICAST_HOPS":
		getInt(tcpip.IPv6HopLimitOption)
	case "IPV6_TCLASS":
		getInt(tcpip.IPv6TrafficClassOption)
	case "IP_RECVERR":
		v = boolInt(ops.GetIPv4RecvError())
	case "IPV6_RECVERR":
		v = boolInt(ops.GetIPv6RecvError())
	}
	if terr != nil {
		return nil, failNet(call, terr)
	}
	res.int("value", v)
	return res, nil
}

func (a *agent) cmdListen(r request) (*response, *agentError) {
	port, err := argInt(r, "port", true, 0, 0, 65535)
	if err != nil {
		return nil, err
	}
	backlog, err := argInt(r, "backlog", false, defaultBacklog, math.MinInt32, math.MaxInt32)
	if err != nil {
		return nil, err
	}
	num, s, err := a.argSock(r, false)
	if err != nil {
		return nil, err
	}
	def := "0.0.0.0"
	if s != nil && s.proto == ipv6.ProtocolNumber {
		def = "::"
	}
	addr, proto, err := argAddr(r, false, def)
	if err != nil {
		return nil, err
	}
	created := s == nil
	if created {
		if s, err = a.newEndpoint(proto); err != nil {
			return nil, err
		}
	} else if addr, err = forSock(s, addr, proto, def); err != nil {
		return nil, err
	}
	s.ep.SocketOptions().SetReuseAddress(true)
	if terr := s.ep.Bind(tcpip.FullAddress{Addr: addr, Port: uint16(port)}); terr != nil {
		if _, ok := terr.(*tcpip.ErrNoPortAvailable); ok {
			terr = &tcpip.ErrPortInUse{} // as gVisor's bind(2): EADDRINUSE
		}
		if created {
			s.ep.Close()
		}
		return nil, failNet("bind", terr)
	}
	// As gVisor's listen(2): the backlog is taken as unsigned, capped, and
	// one more than it is given to netstack (Linux admits backlog + 1).
	b := uint32(backlog)
	if b > maxListenBacklog {
		b = maxListenBacklog
	}
	if terr := s.ep.Listen(int(b) + 1); terr != nil {
		if created {
			s.ep.Close()
		}
		return nil, failNet("listen", terr)
	}
	if created {
		num = a.own(s)
	}
	res := &response{}
	res.int("sock", int64(num))
	res.str("local", localOf(s.ep))
	return res, nil
}

func (a *agent) cmdAccept(r request) (*response, *agentError) {
	_, s, err := a.argSock(r, true)
	if err != nil {
		return nil, err
	}
	timeout, err := argInt(r, "timeoutMs", false, defaultTimeoutMs, 0, maxTimeoutMs)
	if err != nil {
		return nil, err
	}
	var nep tcpip.Endpoint
	var nwq *waiter.Queue
	var terr tcpip.Error
	var peer tcpip.FullAddress
	got := a.waitEvent(s, waiter.ReadableEvents|waiter.EventHUp|waiter.EventErr, time.Duration(timeout)*time.Millisecond, func() bool {
		nep, nwq, terr = s.ep.Accept(&peer)
		_, wouldBlock := terr.(*tcpip.ErrWouldBlock)
		return !wouldBlock
	})
	if !got {
		return nil, fail(unix.EAGAIN, "accept: no connection within %d ms", timeout)
	}
	if terr != nil {
		return nil, failNet("accept", terr)
	}
	ns := &sock{ep: nep, wq: nwq}
	res := &response{}
	res.int("sock", int64(a.own(ns)))
	res.str("remote", formatAddr(peer.Addr, peer.Port))
	res.str("local", localOf(nep))
	return res, nil
}

func (a *agent) cmdConnect(r request) (*response, *agentError) {
	addr, proto, err := argAddr(r, true, "")
	if err != nil {
		return nil, err
	}
	port, err := argInt(r, "port", true, 0, 0, 65535)
	if err != nil {
		return nil, err
	}
	lport, err := argInt(r, "localPort", false, -1, 0, 65535)
	if err != nil {
		return nil, err
	}
	num, s, err := a.argSock(r, false)
	if err != nil {
		return nil, err
	}
	created := s == nil
	if created {
		if s, err = a.newEndpoint(proto); err != nil {
			return nil, err
		}
	} else if addr, err = forSock(s, addr, proto, r["addr"].str); err != nil {
		return nil, err
	}
	closeCreated := func() {
		if created {
			s.ep.Close()
		}
	}
	if lport >= 0 {
		s.ep.SocketOptions().SetReuseAddress(true)
		if terr := s.ep.Bind(tcpip.FullAddress{Port: uint16(lport)}); terr != nil {
			if _, ok := terr.(*tcpip.ErrNoPortAvailable); ok {
				terr = &tcpip.ErrPortInUse{}
			}
			closeCreated()
			return nil, failNet("bind", terr)
		}
	}
	inProgress := false
	switch terr := s.ep.Connect(tcpip.FullAddress{Addr: addr, Port: uint16(port)}); terr.(type) {
	case nil:
	case *tcpip.ErrConnectStarted:
		inProgress = true
	default:
		if _, ok := terr.(*tcpip.ErrNoPortAvailable); ok {
			terr = &tcpip.ErrBadLocalAddress{} // as gVisor's connect(2): EADDRNOTAVAIL
		}
		closeCreated()
		return nil, failNet("connect", terr)
	}
	if created {
		num = a.own(s)
	}
	res := &response{}
	res.int("sock", int64(num))
	res.str("local", localOf(s.ep))
	res.bool("inProgress", inProgress)
	return res, nil
}

func (a *agent) cmdSend(r request) (*response, *agentError) {
	_, s, err := a.argSock(r, true)
	if err != nil {
		return nil, err
	}
	if err := noUrgentData(r, "send"); err != nil {
		return nil, err
	}
	text, err := argStr(r, "data", true, "")
	if err != nil {
		return nil, err
	}
	if len(text)%2 != 0 {
		return nil, fail(unix.EINVAL, "argument \"data\" must have an even number of hex digits")
	}
	data, herr := hex.DecodeString(text)
	if herr != nil {
		return nil, fail(unix.EINVAL, "argument \"data\": %v", herr)
	}
	n, terr := s.ep.Write(bytes.NewReader(data), tcpip.WriteOptions{})
	if terr != nil {
		return nil, failNet("send", terr)
	}
	res := &response{}
	res.int("sent", n)
	return res, nil
}

func (a *agent) cmdRecv(r request) (*response, *agentError) {
	_, s, err := a.argSock(r, true)
	if err != nil {
		return nil, err
	}
	if err := noUrgentData(r, "recv"); err != nil {
		return nil, err
	}
	max, err := argInt(r, "max", false, defaultRecvMax, 1, maxRecv)
	if err != nil {
		return nil, err
	}
	timeout, err := argInt(r, "timeoutMs", false, defaultTimeoutMs, 0, maxTimeoutMs)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	var terr tcpip.Error
	got := a.waitEvent(s, waiter.ReadableEvents|waiter.EventHUp|waiter.EventErr, time.Duration(timeout)*time.Millisecond, func() bool {
		buf.Reset()
		_, terr = s.ep.Read(&tcpip.LimitedWriter{W: &buf, N: max}, tcpip.ReadOptions{})
		_, wouldBlock := terr.(*tcpip.ErrWouldBlock)
		return !wouldBlock
	})
	if !got {
		return nil, fail(unix.EAGAIN, "recv: no data within %d ms", timeout)
	}
	res := &response{}
	switch terr.(type) {
	case nil:
		res.str("data", hex.EncodeToString(buf.Bytes()))
		res.bool("eof", false)
	case *tcpip.ErrClosedForReceive:
		res.str("data", "")
		res.bool("eof", true)
	default:
		return nil, failNet("recv", terr)
	}
	return res, nil
}

func (a *agent) cmdShutdown(r request) (*response, *agentError) {
	_, s, err := a.argSock(r, true)
	if err != nil {
		return nil, err
	}
	how, err := argStr(r, "how", true, "")
	if err != nil {
		return nil, err
	}
	var flags tcpip.ShutdownFlags
	switch how {
	case "rd":
		flags = tcpip.ShutdownRead
	case "wr":
		flags = tcpip.ShutdownWrite
	case "rdwr":
		flags = tcpip.ShutdownRead | tcpip.ShutdownWrite
	default:
		return nil, fail(unix.EINVAL, "argument \"how\" must be \"rd\", \"wr\" or \"rdwr\", not %q", clip(how))
	}
	if terr := s.ep.Shutdown(flags); terr != nil {
		return nil, failNet("shutdown", terr)
	}
	return &response{}, nil
}

func (a *agent) cmdClose(r request) (*response, *agentError) {
	num, s, err := a.argSock(r, true)
	if err != nil {
		return nil, err
	}
	delete(a.socks, num)
	s.ep.Close()
	return &response{}, nil
}

func (a *agent) cmdAbort(r request) (*response, *agentError) {
	num, s, err := a.argSock(r, true)
	if err != nil {
		return nil, err
	}
	if tcp.EndpointState(s.ep.State()) == tcp.StateSynRecv {
		// See abortSock: netstack cannot reset a connection in SYN-RECEIVED
		// (it crashes), and its close drops the handshake silently. The
		// socket stays owned; reset closes it.
		return nil, fail(unix.ENOSYS, "abort: netstack cannot abort (RST) a connection in SYN-RECEIVED: "+
			"its SO_LINGER 0 close dereferences the sender that only exists from ESTABLISHED on and crashes the stack")
	}
	delete(a.socks, num)
	abortSock(s)
	return &response{}, nil
}

// rfcState maps netstack's TCP states (tcp.EndpointState, numbered like
// Linux's TCP_* states) to RFC 9293 names and the protocol's codes.
var rfcState = map[tcp.EndpointState]struct{ name, code string }{
	tcp.StateEstablished: {"ESTABLISHED", "01"},
	tcp.StateSynSent:     {"SYN-SENT", "02"},
	tcp.StateSynRecv:     {"SYN-RECEIVED", "03"},
	tcp.StateFinWait1:    {"FIN-WAIT-1", "04"},
	tcp.StateFinWait2:    {"FIN-WAIT-2", "05"},
	tcp.StateTimeWait:    {"TIME-WAIT", "06"},
	tcp.StateClose:       {"CLOSED", "07"},
	tcp.StateCloseWait:   {"CLOSE-WAIT", "08"},
	tcp.StateLastAck:     {"LAST-ACK", "09"},
	tcp.StateListen:      {"LISTEN", "0A"},
	tcp.StateClosing:     {"CLOSING", "0B"},
}

// internalState names netstack's own states, which are no RFC 9293 state.
var internalState = map[tcp.EndpointState]string{
	tcp.StateInitial:    "INITIAL",
	tcp.StateBound:      "BOUND",
	tcp.StateConnecting: "CONNECTING",
	tcp.StateError:      "ERROR",
}

type stateRow struct {
	local, remote string
	lport, rport  uint16
	state         tcp.EndpointState
}

// endpointRows reads every TCP endpoint registered with the stack's demuxer
// and its state, at this moment.
func (a *agent) endpointRows() []stateRow {
	seen := map[uint64]bool{}
	var rows []stateRow
	for _, te := range a.stack.RegisteredEndpoints() {
		if seen[te.UniqueID()] {
			continue
		}
		seen[te.UniqueID()] = true
		ep, ok := te.(tcpip.Endpoint)
		if !ok {
			continue
		}
		info, ok := ep.Info().(*stack.TransportEndpointInfo)
		if !ok || info.TransProto != tcp.ProtocolNumber {
			continue
		}
		id := info.ID
		rows = append(rows, stateRow{
			local: formatAddr(id.LocalAddress, id.LocalPort), remote: formatAddr(id.RemoteAddress, id.RemotePort),
			lport: id.LocalPort, rport: id.RemotePort, state: tcp.EndpointState(ep.State()),
		})
	}
	sort.Slice(rows, func(i, j int) bool {
		if rows[i].lport != rows[j].lport {
			return rows[i].lport < rows[j].lport
		}
		if rows[i].rport != rows[j].rport {
			return rows[i].rport < rows[j].rport
		}
		return rows[i].remote < rows[j].remote
	})
	return rows
}

func (a *agent) cmdStates(r request) (*response, *agentError) {
	var eps, internal []string
	for _, row := range a.endpointRows() {
		if st, ok := rfcState[row.state]; ok {
			eps = append(eps, fmt.Sprintf(`{"local":%s,"remote":%s,"state":%s,"code":%s}`,
				jsonString(row.local), jsonString(row.remote), jsonString(st.name), jsonString(st.code)))
			continue
		}
		// A netstack-internal state (e.g. CONNECTING, for the moment between
		// registration and the first SYN): no RFC state to report, so it is
		// listed apart, for people reading the log.
		name, ok := internalState[row.state]
		if !ok {
			name = "UNKNOWN"
		}
		internal = append(internal, fmt.Sprintf(`{"local":%s,"remote":%s,"netstackState":%s,"value":%d}`,
			jsonString(row.local), jsonString(row.remote), jsonString(name), uint32(row.state)))
	}
	res := &response{}
	res.raw("endpoints", "["+strings.Join(eps, ",")+"]")
	if len(internal) > 0 {
		res.raw("internal", "["+strings.Join(internal, ",")+"]")
	}
	return res, nil
}

func (a *agent) sortedSocks() []int {
	nums := make([]int, 0, len(a.socks))
	for n := range a.socks {
		nums = append(nums, n)
	}
	sort.Ints(nums)
	return nums
}

func (a *agent) cmdReset(r request) (*response, *agentError) {
	nums := a.sortedSocks()
	for _, n := range nums {
		s := a.socks[n]
		delete(a.socks, n)
		abortSock(s)
	}
	res := &response{}
	res.int("closed", int64(len(nums)))
	return res, nil
}

func (a *agent) cmdBye(r request) (*response, *agentError) {
	a.bye = true
	return &response{}, nil
}

// closeAll closes every owned socket the normal way (FIN, not RST), as a
// process exit does with kernel sockets, and gives the stack a moment to send.
func (a *agent) closeAll() {
	nums := a.sortedSocks()
	for _, n := range nums {
		a.socks[n].ep.Close()
		delete(a.socks, n)
	}
	if len(nums) > 0 {
		time.Sleep(100 * time.Millisecond)
	}
}

// caState maps netstack's congestion control states to Linux's tcpi_ca_state values (TCP_CA_Open 0, Disorder 1,
// Recovery 3, Loss 4), which the agent protocol's tcpinfo uses.
var caState = map[tcpip.CongestionControlState]int64{
	tcpip.Open: 0, tcpip.Disorder: 1, tcpip.FastRecovery: 3, tcpip.SACKRecovery: 3, tcpip.RTORecovery: 4,
}

// cmdTcpinfo reports what netstack's TCPInfoOption holds, under Linux's tcp_info names (protocol 2's tcpinfo, here
// beside protocol 1): tcpi_state (the protocol's state codes), tcpi_ca_state, tcpi_rtt, tcpi_rttvar and tcpi_rto
// (microseconds), tcpi_snd_cwnd (segments), tcpi_snd_ssthresh and tcpi_reord_seen (1 once reordering was seen).
// netstack fills nothing else, so nothing else is reported.
func (a *agent) cmdTcpinfo(r request) (*response, *agentError) {
	_, s, err := a.argSock(r, true)
	if err != nil {
		return nil, err
	}
	var info tcpip.TCPInfoOption
	if terr := s.ep.GetSockOpt(&info); terr != nil {
		return nil, failNet("getsockopt(TCP_INFO)", terr)
	}
	var b strings.Builder
	b.WriteString("{")
	put := func(name string, v int64) {
		if b.Len() > 1 {
			b.WriteString(",")
		}
		b.WriteString(jsonString(name) + ":" + strconv.FormatInt(v, 10))
	}
	if st, ok := rfcState[tcp.EndpointState(info.State)]; ok {
		code, _ := strconv.ParseInt(st.code, 16, 64)
		put("tcpi_state", code)
	}
	if ca, ok := caState[info.CcState]; ok {
		put("tcpi_ca_state", ca)
	}
	put("tcpi_rtt", info.RTT.Microseconds())
	put("tcpi_rttvar", info.RTTVar.Microseconds())
	put("tcpi_rto", info.RTO.Microseconds())
	put("tcpi_snd_cwnd", int64(info.SndCwnd))
	put("tcpi_snd_ssthresh", int64(info.SndSsthresh))
	put("tcpi_reord_seen", boolInt(info.ReorderSeen))
	b.WriteString("}")
	res := &response{}
	res.raw("info", b.String())
	return res, nil
}

// errqueueOrigins names netstack's error origins as the protocol does (section 5d), after Linux's SO_EE_ORIGIN_*.
var errqueueOrigins = map[tcpip.SockErrOrigin]string{
	tcpip.SockExtErrorOriginNone: "none", tcpip.SockExtErrorOriginLocal: "local",
	tcpip.SockExtErrorOriginICMP: "icmp", tcpip.SockExtErrorOriginICMP6: "icmp6",
}

// cmdErrqueue takes every entry off the socket's error queue, which netstack fills for an ICMP error when
// IP_RECVERR / IPV6_RECVERR is on (tcp endpoint's onICMPError): "errors", a list of {origin, type, code, errno,
// info, offender} as Linux's recvmsg(MSG_ERRQUEUE) would give them; [] when the queue is empty.
func (a *agent) cmdErrqueue(r request) (*response, *agentError) {
	_, s, err := a.argSock(r, true)
	if err != nil {
		return nil, err
	}
	var parts []string
	for i := 0; i < 64; i++ { // bounded, as the Linux agent's loop
		e := s.ep.SocketOptions().DequeueErr()
		if e == nil {
			break
		}
		origin, typ, code, info := "none", 0, 0, uint32(0)
		if e.Cause != nil {
			if name, ok := errqueueOrigins[e.Cause.Origin()]; ok {
				origin = name
			} else {
				origin = "other"
			}
			typ, code, info = int(e.Cause.Type()), int(e.Cause.Code()), e.Cause.Info()
		}
		offender := "null"
		if e.Cause != nil && e.Cause.Origin().IsICMPErr() && len(e.Offender.Addr) > 0 {
			offender = jsonString(e.Offender.Addr.String())
		}
		parts = append(parts, fmt.Sprintf(`{"origin":%s,"type":%d,"code":%d,"errno":%s,"info":%d,"offender":%s}`,
			jsonString(origin), typ, code, jsonString(errnoName(errnoOf(e.Err))), info, offender))
	}
	res := &response{}
	res.raw("errors", "["+strings.Join(parts, ",")+"]")
	return res, nil
}

// cmdBind is bind(2) of an owned socket and nothing more (protocol 2, section
// 5a): no SO_REUSEADDR of its own. With a non-wildcard addr it is the OPEN's
// local IP address (section 5c); one the stack does not own gives EADDRNOTAVAIL.
func (a *agent) cmdBind(r request) (*response, *agentError) {
	port, err := argInt(r, "port", true, 0, 0, 65535)
	if err != nil {
		return nil, err
	}
	_, s, err := a.argSock(r, true)
	if err != nil {
		return nil, err
	}
	def := "0.0.0.0"
	if s.proto == ipv6.ProtocolNumber {
		def = "::"
	}
	addr, proto, err := argAddr(r, false, def)
	if err != nil {
		return nil, err
	}
	if addr, err = forSock(s, addr, proto, def); err != nil {
		return nil, err
	}
	if terr := s.ep.Bind(tcpip.FullAddress{Addr: addr, Port: uint16(port)}); terr != nil {
		if _, ok := terr.(*tcpip.ErrNoPortAvailable); ok {
			terr = &tcpip.ErrPortInUse{} // as gVisor's bind(2): EADDRINUSE
		}
		return nil, failNet("bind", terr)
	}
	res := &response{}
	res.str("local", localOf(s.ep))
	return res, nil
}

// cmdAddress gives the stack's NIC one more address, addr/prefix (section 5c),
// beside the one it started with, as ip addr add does for a kernel: netstack's
// AddProtocolAddress. Its subnet is the first address's, so no route is added.
func (a *agent) cmdAddress(r request) (*response, *agentError) {
	addr, proto, err := argAddr(r, true, "")
	if err != nil {
		return nil, err
	}
	if addr == "" {
		return nil, fail(unix.EINVAL, "argument \"addr\" is a wildcard address, not one to add")
	}
	max := int64(32)
	if proto == ipv6.ProtocolNumber {
		max = 128
	}
	plen, err := argInt(r, "prefix", true, 0, 0, max)
	if err != nil {
		return nil, err
	}
	pa := tcpip.ProtocolAddress{Protocol: proto, AddressWithPrefix: tcpip.AddressWithPrefix{Address: addr, PrefixLen: int(plen)}}
	if terr := a.stack.AddProtocolAddress(nicID, pa, stack.AddressProperties{}); terr != nil {
		return nil, failNet("address", terr)
	}
	return &response{}, nil
}
