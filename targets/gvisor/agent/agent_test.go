// Offline tests of the agent's own code (no stack, no network):
//
//	cd targets/gvisor/agent && GO111MODULE=off GOPATH=/usr/share/gocode go test .
package main

import (
	"syscall"
	"testing"

	"golang.org/x/sys/unix"
	"gvisor.dev/gvisor/pkg/tcpip"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv4"
	"gvisor.dev/gvisor/pkg/tcpip/network/ipv6"
	"gvisor.dev/gvisor/pkg/tcpip/transport/tcp"
)

func TestParseRequestAccepts(t *testing.T) {
	r, err := parseRequest([]byte(` {"id":7, "cmd":"connect","addr":"192.0.2.1","port":5000,"x":null,"b":true,"s":"\u00e9\ud83d\ude00\n"} `))
	if err != nil {
		t.Fatal(err)
	}
	if r["id"].kind != kindInt || r["id"].num != 7 || r["cmd"].str != "connect" || r["port"].num != 5000 {
		t.Fatalf("bad parse: %+v", r)
	}
	if r["x"].kind != kindNull || r["b"].kind != kindBool || !r["b"].b || r["s"].str != "é😀\n" {
		t.Fatalf("bad values: %+v", r)
	}
	if r, err := parseRequest([]byte(`{"id":-9223372036854775808,"cmd":"x"}`)); err != nil || r["id"].num != -9223372036854775808 {
		t.Fatalf("min int64: %v %+v", err, r)
	}
}

func TestParseRequestRejects(t *testing.T) {
	for _, line := range []string{
		`{"id":1,"cmd":"hello"`,
		`{"id":1,"cmd":"hello"}x`,
		`{"id":1,"cmd":"hello"}{}`,
		`[1,2]`,
		`"text"`,
		`{"id":1,"cmd":{"a":1}}`,
		`{"id":1,"cmd":[1]}`,
		`{"id":1.0,"cmd":"hello"}`,
		`{"id":1e3,"cmd":"hello"}`,
		`{"id":99999999999999999999,"cmd":"hello"}`,
		`{"id":1,"id":2}`,
		`{"id":01}`,
		`{id:1}`,
		``,
	} {
		if _, err := parseRequest([]byte(line)); err == nil {
			t.Errorf("accepted %q", line)
		}
	}
}

func TestJSONStringIsASCII(t *testing.T) {
	got := jsonString("a\"b\\c\n\x01é😀")
	want := `"a\"b\\c\n\u0001\u00e9\ud83d\ude00"`
	if got != want {
		t.Fatalf("got %s want %s", got, want)
	}
}

func TestResponseLines(t *testing.T) {
	r := &response{}
	r.int("sock", 3)
	r.str("local", "0.0.0.0:5000")
	r.bool("inProgress", true)
	r.strs("hiddenStates", []string{})
	if got := successLine(4, r); got != `{"id":4,"ok":true,"sock":3,"local":"0.0.0.0:5000","inProgress":true,"hiddenStates":[]}` {
		t.Fatal(got)
	}
	if got := errorLine(0, false, "EPROTO", "bad request: x"); got != `{"id":null,"ok":false,"errno":"EPROTO","error":"bad request: x"}` {
		t.Fatal(got)
	}
}

func TestErrnoNames(t *testing.T) {
	for e, name := range map[unix.Errno]string{unix.EAGAIN: "EAGAIN", unix.EOPNOTSUPP: "EOPNOTSUPP",
		unix.EDEADLK: "EDEADLK", unix.ECONNREFUSED: "ECONNREFUSED", unix.Errno(135): "E135"} {
		if got := errnoName(e); got != name {
			t.Errorf("errnoName(%d) = %s, want %s", int(e), got, name)
		}
	}
	for err, want := range map[tcpip.Error]unix.Errno{
		&tcpip.ErrConnectionRefused{}: unix.ECONNREFUSED, &tcpip.ErrConnectionReset{}: unix.ECONNRESET,
		&tcpip.ErrWouldBlock{}: unix.EAGAIN, &tcpip.ErrClosedForSend{}: unix.EPIPE, &tcpip.ErrPortInUse{}: unix.EADDRINUSE,
		&tcpip.ErrTimeout{}: unix.ETIMEDOUT, &tcpip.ErrNotConnected{}: unix.ENOTCONN, &tcpip.ErrClosedForReceive{}: 0,
	} {
		if got := errnoOf(err); got != want {
			t.Errorf("errnoOf(%T) = %d, want %d", err, got, want)
		}
	}
}

func TestStateTable(t *testing.T) {
	// netstack numbers its RFC states like Linux's TCP_* codes, which are
	// the protocol's codes: check that the table says so for every state.
	for st, v := range rfcState {
		if want := hex2(uint32(st)); v.code != want {
			t.Errorf("%s: code %s, want %s", v.name, v.code, want)
		}
	}
	if len(rfcState) != 11 {
		t.Errorf("%d RFC states mapped, want 11", len(rfcState))
	}
	for st := range internalState {
		if _, dup := rfcState[st]; dup {
			t.Errorf("state %d is both internal and RFC", st)
		}
	}
	if rfcState[tcp.StateListen].code != "0A" || rfcState[tcp.StateTimeWait].name != "TIME-WAIT" {
		t.Error("LISTEN or TIME-WAIT mapped wrong")
	}
}

func hex2(v uint32) string {
	const d = "0123456789ABCDEF"
	return string([]byte{d[v>>4&15], d[v&15]})
}

func TestFormatAddr(t *testing.T) {
	for _, c := range []struct {
		addr tcpip.Address
		port uint16
		want string
	}{
		{"", 0, "0.0.0.0:0"},
		{"\xc0\x00\x02\x02", 5000, "192.0.2.2:5000"},
		{"\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xc0\x00\x02\x01", 80, "192.0.2.1:80"},
		{"\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01", 80, "[2001:db8::1]:80"},
	} {
		if got := formatAddr(c.addr, c.port); got != c.want {
			t.Errorf("formatAddr(%q) = %s, want %s", c.addr, got, c.want)
		}
	}
}

func TestArgAddr(t *testing.T) {
	type parsed struct {
		addr  tcpip.Address
		proto tcpip.NetworkProtocolNumber
	}
	six := tcpip.Address("\x20\x01\x0d\xb8\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01")
	ok := map[string]parsed{"192.0.2.1": {"\xc0\x00\x02\x01", ipv4.ProtocolNumber}, "[::ffff:192.0.2.1]": {"\xc0\x00\x02\x01", ipv4.ProtocolNumber},
		"0.0.0.0": {"", ipv4.ProtocolNumber}, "2001:db8::1": {six, ipv6.ProtocolNumber}, "[2001:db8::1]": {six, ipv6.ProtocolNumber},
		"[::]": {"", ipv6.ProtocolNumber}}
	for text, want := range ok {
		got, proto, err := argAddr(request{"addr": {kind: kindString, str: text}}, true, "")
		if err != nil || got != want.addr || proto != want.proto {
			t.Errorf("argAddr(%s) = %q, %d, %v", text, got, proto, err)
		}
	}
	if _, _, err := argAddr(request{"addr": {kind: kindString, str: "example.org"}}, true, ""); err == nil || err.errno != unix.EINVAL {
		t.Errorf("argAddr(example.org): %v, want EINVAL", err)
	}
	if _, err := forSock(&sock{proto: ipv4.ProtocolNumber}, six, ipv6.ProtocolNumber, "2001:db8::1"); err == nil || err.errno != unix.EAFNOSUPPORT {
		t.Errorf("an IPv6 address for an inet socket: %v, want EAFNOSUPPORT", err)
	}
	if got, err := forSock(&sock{proto: ipv6.ProtocolNumber}, "\xc0\x00\x02\x01", ipv4.ProtocolNumber, "192.0.2.1"); err != nil ||
		got != "\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\xff\xff\xc0\x00\x02\x01" {
		t.Errorf("an IPv4 address for an inet6 socket: %q, %v, want its v4-mapped form", got, err)
	}
}

func TestOobIsRefusedWithEnosys(t *testing.T) {
	for text, want := range map[string]syscall.Errno{
		`{"id":1,"cmd":"send","oob":true}`:  unix.ENOSYS,
		`{"id":1,"cmd":"send","oob":1}`:     unix.EINVAL,
		`{"id":1,"cmd":"send","oob":false}`: 0,
		`{"id":1,"cmd":"send"}`:             0,
	} {
		r, err := parseRequest([]byte(text))
		if err != nil {
			t.Fatal(err)
		}
		e := noUrgentData(r, "send")
		if (e == nil) != (want == 0) || (e != nil && e.errno != want) {
			t.Fatalf("%s: got %+v, want errno %v", text, e, want)
		}
	}
}
