// The tcpct gVisor agent: runs gVisor's netstack (the user-space TCP/IP stack
// of gVisor, in Go) on the container's eth0 through an AF_PACKET socket, and
// drives it for the tcpct harness over the agent protocol
// (targets/AGENT-PROTOCOL.md): one JSON request per line in, one JSON
// response per line out, over an AF_UNIX stream socket (never over the network
// under test).
//
//	agent --control PATH   serve the harness on unix socket PATH
//	agent --version
//
// Build: see ../build.sh (GOPATH mode, offline, from Debian's Go packages).
package main

import (
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/log"
)

const (
	agentName       = "tcpct-gvisor-agent"
	protocolVersion = 1
	maxLine         = 65536 // longest request line accepted, without '\n'
)

// stackVersion is the Debian version of golang-gvisor-gvisor-dev, set by build.sh.
var stackVersion = "unknown"

// ---------------------------------------------------------------- logging

var logMu sync.Mutex

func monoMs() int64 {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return 0
	}
	return ts.Sec*1000 + ts.Nsec/1000000
}

// logRaw writes "<monotonic ms> <dir> <text>" to stderr, control bytes as \xNN.
func logRaw(dir byte, s string) {
	var b strings.Builder
	b.WriteString(strconv.FormatInt(monoMs(), 10))
	b.WriteByte(' ')
	b.WriteByte(dir)
	b.WriteByte(' ')
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < 0x20 || c == 0x7f {
			fmt.Fprintf(&b, "\\x%02x", c)
		} else {
			b.WriteByte(c)
		}
	}
	b.WriteByte('\n')
	logMu.Lock()
	os.Stderr.WriteString(b.String())
	logMu.Unlock()
}

func logNote(format string, args ...interface{}) { logRaw('#', fmt.Sprintf(format, args...)) }

// ---------------------------------------------------------------- exit

var (
	ctlPath   string
	pathBound atomic.Bool // the control socket file exists
	closing   atomic.Bool // the agent closed the control connection itself (bye)
)

func exitAgent(status int) {
	if pathBound.Load() {
		os.Remove(ctlPath)
	}
	os.Exit(status)
}

// exitOnHangup ends the agent at once when the harness hangs up during a wait.
func exitOnHangup() {
	logNote("control connection closed during a wait; exiting")
	exitAgent(0)
}

// ---------------------------------------------------------------- control connection

// inLine is one request line, or a marker for a line that was too long.
type inLine struct {
	text    []byte
	tooLong bool
}

// readLines reads the control connection and delivers its lines in order;
// at EOF (or a read error) it delivers a last unterminated line, then closes
// lines and hangup.
func readLines(conn net.Conn, lines chan<- inLine, hangup chan<- struct{}) {
	defer close(hangup)
	defer close(lines)
	buf := make([]byte, 0, maxLine+1)
	chunk := make([]byte, 65536)
	discarding := false
	for {
		n, err := conn.Read(chunk)
		data := chunk[:n]
		for len(data) > 0 {
			i := indexByte(data, '\n')
			if i < 0 {
				if !discarding {
					buf = append(buf, data...)
					if len(buf) > maxLine {
						lines <- inLine{tooLong: true}
						buf = buf[:0]
						discarding = true
					}
				}
				break
			}
			if discarding {
				discarding = false
			} else {
				buf = append(buf, data[:i]...)
				if len(buf) > maxLine {
					lines <- inLine{tooLong: true}
				} else {
					lines <- inLine{text: append([]byte(nil), buf...)}
				}
			}
			buf = buf[:0]
			data = data[i+1:]
		}
		if err != nil {
			if len(buf) > 0 && !discarding {
				lines <- inLine{text: append([]byte(nil), buf...)}
			}
			if err != io.EOF && !closing.Load() {
				logNote("control connection: read failed: %v", err)
			}
			return
		}
	}
}

func indexByte(b []byte, c byte) int {
	for i, x := range b {
		if x == c {
			return i
		}
	}
	return -1
}

// sendLine writes one response line and logs it; a harness that is gone ends the agent.
func sendLine(conn net.Conn, line string) {
	logRaw('>', line)
	if _, err := conn.Write([]byte(line + "\n")); err != nil {
		logNote("control connection: write failed: %v; exiting", err)
		exitAgent(0)
	}
}

// handleLine answers one request line (without its '\n').
func handleLine(a *agent, conn net.Conn, raw []byte) {
	line := strings.TrimRight(string(raw), "\r \t")
	if strings.TrimLeft(line, " \t") == "" {
		return // blank lines get no response
	}
	logRaw('<', line)
	req, err := parseRequest([]byte(line))
	if err != nil {
		sendLine(conn, errorLine(0, false, "EPROTO", "bad request: "+err.Error()))
		return
	}
	idv, ok := req["id"]
	if !ok || idv.kind != kindInt {
		msg := "bad request: missing \"id\""
		if ok {
			msg = "bad request: \"id\" must be an integer"
		}
		sendLine(conn, errorLine(0, false, "EPROTO", msg))
		return
	}
	id := idv.num
	cmdv, ok := req["cmd"]
	if !ok || cmdv.kind != kindString {
		msg := "bad request: missing \"cmd\""
		if ok {
			msg = "bad request: \"cmd\" must be a string"
		}
		sendLine(conn, errorLine(id, true, "EPROTO", msg))
		return
	}
	h, known := handlers[cmdv.str]
	if !known {
		sendLine(conn, errorLine(id, true, "ENOSYS", fmt.Sprintf("unknown command %q", clip(cmdv.str))))
		return
	}
	res, aerr := h(a, req)
	if aerr != nil {
		sendLine(conn, errorLine(id, true, errnoName(aerr.errno), aerr.msg))
		return
	}
	sendLine(conn, successLine(id, res))
}

func runControl(path string) int {
	ctlPath = path
	signal.Ignore(syscall.SIGPIPE)
	sigs := make(chan os.Signal, 1)
	signal.Notify(sigs, syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP)
	go func() {
		sig := <-sigs
		logNote("terminated by signal %v; exiting", sig)
		exitAgent(0)
	}()
	// netstack's own log: warnings only, so the log stays the protocol's.
	log.SetLevel(log.Warning)

	logNote("%s protocol %d, %s, pid %d", agentName, protocolVersion, stackDescription(), os.Getpid())
	st, info, err := newNetstack()
	if err != nil {
		fmt.Fprintf(os.Stderr, "agent: cannot start the stack: %v\n", err)
		return 1
	}
	a := &agent{stack: st, info: info, socks: map[int]*sock{}}
	logNote("netstack up on %s %s (ifindex %d, MTU %d) as %s/%d; %s", linkName, info.mac, info.ifindex, info.mtu,
		stackAddr, stackPrefix, tcpDefaults(st))

	if err := os.Remove(path); err != nil && !os.IsNotExist(err) {
		fmt.Fprintf(os.Stderr, "agent: cannot remove stale %s: %v\n", path, err)
		return 1
	}
	ln, err := net.ListenUnix("unix", &net.UnixAddr{Name: path, Net: "unix"})
	if err != nil {
		fmt.Fprintf(os.Stderr, "agent: listen on %s: %v\n", path, err)
		return 1
	}
	pathBound.Store(true)
	if err := os.Chmod(path, 0o666); err != nil {
		fmt.Fprintf(os.Stderr, "agent: chmod %s: %v\n", path, err)
		exitAgent(1)
	}
	logNote("waiting for the harness on %s", path)
	conn, err := ln.AcceptUnix()
	if err != nil {
		fmt.Fprintf(os.Stderr, "agent: accept on %s: %v\n", path, err)
		exitAgent(1)
	}
	// One client only: stop listening and remove the socket file.
	ln.Close()
	os.Remove(path)
	pathBound.Store(false)
	logNote("harness connected")

	lines := make(chan inLine, 4096)
	hangup := make(chan struct{})
	a.waitEnd = func() <-chan struct{} { return hangup }
	go readLines(conn, lines, hangup)
	for in := range lines {
		if in.tooLong {
			logNote("request line longer than %d bytes, discarded", maxLine)
			sendLine(conn, errorLine(0, false, "EPROTO", fmt.Sprintf("bad request: line longer than %d bytes", maxLine)))
			continue
		}
		handleLine(a, conn, in.text)
		if a.bye {
			logNote("bye; exiting")
			closing.Store(true)
			conn.Close()
			a.closeAll()
			exitAgent(0)
		}
	}
	logNote("control connection closed (EOF); exiting")
	a.closeAll()
	exitAgent(0)
	return 0
}

func usage(f *os.File) {
	fmt.Fprintln(f, "usage: agent --control SOCKET_PATH\n       agent --version")
}

func main() {
	args := os.Args[1:]
	switch {
	case len(args) == 2 && args[0] == "--control":
		os.Exit(runControl(args[1]))
	case len(args) == 1 && args[0] == "--version":
		fmt.Printf("%s protocol %d (gVisor netstack %s)\n", agentName, protocolVersion, stackVersion)
	case len(args) == 1 && (args[0] == "--help" || args[0] == "-h"):
		usage(os.Stdout)
	default:
		usage(os.Stderr)
		os.Exit(2)
	}
}
