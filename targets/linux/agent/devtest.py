#!/usr/bin/env python3
# Dev test of the agent outside Docker; as root: python3 targets/linux/agent/devtest.py [AGENT_BINARY]
#
# Creates the network namespace tcpct-agentdev (lo plus a veth pair
# tcpctdevA 192.0.2.2/24 <-> tcpctdevB 192.0.2.1/24, both ends inside it),
# runs the agent there, drives every command over the unix control socket,
# checks the --parse-proc fixtures, then kills the agent and deletes the
# namespace. Without AGENT_BINARY it builds one with ../build.sh.
# Touches nothing outside that namespace and /tmp/tcpct-agentdev.
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time

NS = "tcpct-agentdev"
WORK = "/tmp/tcpct-agentdev"
SOCK = WORK + "/agent.sock"
HERE = os.path.dirname(os.path.abspath(__file__))
EXPECTED_COMMANDS = ["hello", "socket", "setsockopt", "getsockopt", "listen", "accept", "connect",
                     "send", "recv", "shutdown", "close", "abort", "states", "reset", "bye", "bind", "poll", "tcpinfo", "sendto", "errqueue",
                     "atmark"]

passed = 0
failed = []
procs = []


def check(cond, what, detail=None):
    global passed
    if cond:
        passed += 1
        print("  ok   " + what)
    else:
        failed.append(what)
        print("  FAIL " + what + ("" if detail is None else "  -- " + repr(detail)))
    return cond


def sh(*args, check_rc=True):
    r = subprocess.run(list(args), capture_output=True, text=True)
    if check_rc and r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), r.stderr.strip()))
    return r


def netns_up():
    if NS in sh("ip", "netns", "list").stdout.split():
        sh("ip", "netns", "del", NS)
    sh("ip", "netns", "add", NS)
    n = ("ip", "-n", NS)
    sh(*n, "link", "set", "lo", "up")
    sh(*n, "link", "add", "tcpctdevA", "type", "veth", "peer", "name", "tcpctdevB")
    sh(*n, "addr", "add", "192.0.2.2/24", "dev", "tcpctdevA")
    sh(*n, "addr", "add", "192.0.2.1/24", "dev", "tcpctdevB")
    sh(*n, "link", "set", "tcpctdevA", "up")
    sh(*n, "link", "set", "tcpctdevB", "up")


def netns_down():
    sh("ip", "netns", "del", NS, check_rc=False)


def start_agent(agent, tag):
    if os.path.exists(SOCK):
        os.unlink(SOCK)
    log = open("%s/agent-%s.log" % (WORK, tag), "wb")
    p = subprocess.Popen(["ip", "netns", "exec", NS, agent, "--control", SOCK],
                         stdout=subprocess.DEVNULL, stderr=log)
    procs.append(p)
    for _ in range(200):
        if os.path.exists(SOCK):
            break
        time.sleep(0.01)
    return p


def wait_exit(p, secs=3.0):
    try:
        return p.wait(secs)
    except subprocess.TimeoutExpired:
        return None


class Agent:
    def __init__(self):
        self.s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.s.connect(SOCK)
        self.f = self.s.makefile("rb")
        self.next_id = 0

    def raw(self, line):
        self.s.sendall(line + b"\n")
        r = json.loads(self.f.readline())
        self.last_at = r.pop("at", None)  # when the agent began the command; checked once in test_session
        return r

    def req(self, cmd, **args):
        self.next_id += 1
        r = self.raw(json.dumps(dict(id=self.next_id, cmd=cmd, **args)).encode())
        assert r["id"] == self.next_id, (r, self.next_id)
        return r

    def ok(self, cmd, **args):
        r = self.req(cmd, **args)
        if not r.get("ok"):
            raise RuntimeError("%s %s failed: %s" % (cmd, args, r))
        return r

    def states(self):
        return self.ok("states")["endpoints"]

    def state_of(self, local, remote):
        for e in self.states():
            if e["local"] == local and e["remote"] == remote:
                return e["state"]
        return None

    def close(self):
        self.f.close()
        self.s.close()


def expect_err(a, errno, cmd, **args):
    r = a.req(cmd, **args)
    check(r.get("ok") is False and r.get("errno") == errno, "%s %s -> %s" % (cmd, args, errno), r)
    return r


def wait_state(a, local, remote, want, secs=2.0):
    end = time.time() + secs
    st = None
    while time.time() < end:
        st = a.state_of(local, remote)
        if st == want:
            break
        time.sleep(0.02)
    return st


def pair(a, lsock, port):
    """connect to 192.0.2.2:port and accept it; returns (client, server, clocal)."""
    c = a.ok("connect", addr="192.0.2.2", port=port)
    s = a.ok("accept", sock=lsock)
    return c["sock"], s["sock"], c["local"]


def test_session(agent):
    print("session 1: every command")
    p = start_agent(agent, "1")
    check(os.path.exists(SOCK) and (os.stat(SOCK).st_mode & 0o777) == 0o666, "control socket exists, mode 0666")
    a = Agent()

    # hello
    before = time.time_ns()
    h = a.ok("hello")
    check(isinstance(a.last_at, int) and before <= a.last_at <= time.time_ns(),
          "a reply says when the agent began the command (at, CLOCK_REALTIME ns)", a.last_at)
    check(h["agent"] == "tcpct-linux-agent" and h["protocol"] == 2 and h["probe"] == "agent"
          and h["stack"].startswith("Linux "), "hello fields", h)
    check(h["commands"] == EXPECTED_COMMANDS, "hello lists all commands", h["commands"])
    check(h.get("families") == ["inet", "inet6"], "hello lists both address families", h.get("families"))
    # the control socket file is gone once the client is connected; a second client is refused
    check(not os.path.exists(SOCK), "socket file removed after the client connected")

    # framing and request errors
    r = a.raw(b"this is not json")
    check(r == {"id": None, "ok": False, "errno": "EPROTO", "error": r.get("error")}
          and r["error"].startswith("bad request:"), "garbage -> EPROTO, id null", r)
    r = a.raw(b'{"id": 41}')
    check(r["id"] == 41 and r["errno"] == "EPROTO", "missing cmd -> EPROTO with id", r)
    r = a.raw(b'{"cmd": "hello"}')
    check(r["id"] is None and r["errno"] == "EPROTO", "missing id -> EPROTO, id null", r)
    r = a.raw(b'{"id": "x", "cmd": "hello"}')
    check(r["id"] is None and r["errno"] == "EPROTO", "string id -> EPROTO, id null", r)
    r = a.raw(b'{"id": 1.5, "cmd": "hello"}')
    check(r["id"] is None and r["errno"] == "EPROTO", "fractional number -> EPROTO", r)
    r = a.raw(b'{"id": 42, "cmd": "hello", "x": [1]}')
    check(r["id"] is None and r["errno"] == "EPROTO", "nested array -> EPROTO", r)
    r = a.raw(b'{"id": 43, "cmd": "hello", "cmd": "bye"}')
    check(r["errno"] == "EPROTO" and "duplicate" in r["error"], "duplicate key -> EPROTO", r)
    r = a.raw(b'{"id": 44, "cmd": "hello"} x')
    check(r["errno"] == "EPROTO", "trailing garbage -> EPROTO", r)
    r = a.raw(b'{"id": 45, "cmd": "h\\u0065llo", "note": "tab\\t quote\\" backslash\\\\ nl\\n \\ud83d\\ude00"}')
    check(r["id"] == 45 and r["ok"] is True, "\\u and other escapes decoded", r)
    r = a.raw(b'{"id": 46, "cmd": "frobnicate"}')
    check(r["id"] == 46 and r["errno"] == "ENOSYS" and "frobnicate" in r["error"], "unknown cmd -> ENOSYS", r)
    r = a.raw(b'{"id": 47, "cmd": "fro\\"b"}')
    check(r["errno"] == "ENOSYS" and json.dumps(r), "unknown cmd with quote is echoed safely", r)
    a.s.sendall(b"\n   \r\n")  # blank lines: no response
    r = a.raw(b'{"id": 48, "cmd": "hello"}\r')
    check(r["id"] == 48 and r["ok"], "blank lines ignored, CRLF accepted", r)
    big = b'{"id": 49, "cmd": "hello", "pad": "' + b"a" * 70000 + b'"}'
    r = a.raw(big)
    check(r["id"] is None and r["errno"] == "EPROTO" and "longer" in r["error"], "70000-byte line -> EPROTO", r)
    r = a.raw(b'{"id": 50, "cmd": "hello"}')
    check(r["id"] == 50 and r["ok"], "agent recovers after an over-long line", r)
    exact = b'{"id": 51, "cmd": "hello", "pad": "'
    exact += b"b" * (65536 - len(exact) - 2) + b'"}'
    r = a.raw(exact)
    check(len(exact) == 65536 and r["id"] == 51 and r["ok"], "65536-byte line accepted", r)
    # pipelining: two requests in one write, answered in order
    a.s.sendall(b'{"id": 52, "cmd": "hello"}\n{"id": 53, "cmd": "nope"}\n')
    r1, r2 = json.loads(a.f.readline()), json.loads(a.f.readline())
    check(r1["id"] == 52 and r2["id"] == 53 and r2["errno"] == "ENOSYS", "pipelined requests in order", (r1, r2))
    a.next_id = 100

    # argument errors
    expect_err(a, "EBADF", "close", sock=9999)
    expect_err(a, "EBADF", "close", sock=0)       # stdin is not an agent socket
    expect_err(a, "EBADF", "recv", sock=-3)
    expect_err(a, "EINVAL", "close")               # missing sock
    expect_err(a, "EINVAL", "close", sock="3")     # wrong type
    expect_err(a, "EINVAL", "listen", port=70000)
    expect_err(a, "EINVAL", "socket", family="unix")
    expect_err(a, "EINVAL", "connect", addr="not-an-ip", port=1)
    expect_err(a, "EINVAL", "connect", addr="999.1.1.1", port=1)

    # listen / LISTEN state
    L = a.ok("listen", port=5000)
    check(L["local"] == "0.0.0.0:5000", "listen local 0.0.0.0:5000", L)
    ls = L["sock"]
    e = [x for x in a.states() if x["local"] == "0.0.0.0:5000"]
    check(e == [{"local": "0.0.0.0:5000", "remote": "0.0.0.0:0", "state": "LISTEN", "code": "0A"}],
          "states shows LISTEN 0A", e)
    expect_err(a, "EADDRINUSE", "listen", port=5000)
    expect_err(a, "EAGAIN", "accept", sock=ls, timeoutMs=100)
    t0 = time.time()
    expect_err(a, "EAGAIN", "accept", sock=ls, timeoutMs=300)
    check(0.28 <= time.time() - t0 < 1.5, "accept waits timeoutMs", time.time() - t0)

    # connect to itself, accept, ESTABLISHED
    c = a.ok("connect", addr="192.0.2.2", port=5000)
    check(c["inProgress"] in (True, False) and c["local"].startswith("192.0.2.2:"), "connect result", c)
    s = a.ok("accept", sock=ls)
    check(s["remote"] == c["local"] and s["local"] == "192.0.2.2:5000", "accept remote/local", (s, c))
    cs, ss = c["sock"], s["sock"]
    check(a.state_of(c["local"], "192.0.2.2:5000") == "ESTABLISHED"
          and a.state_of("192.0.2.2:5000", c["local"]) == "ESTABLISHED", "both ends ESTABLISHED")

    # send / recv
    r = a.ok("send", sock=cs, data="48656c6c6f")
    check(r["sent"] == 5, "send 5 bytes", r)
    r = a.ok("recv", sock=ss)
    check(r == {"id": r["id"], "ok": True, "data": "48656c6c6f", "eof": False}, "recv gets them", r)
    a.ok("send", sock=ss, data="00FFa5")
    r = a.ok("recv", sock=cs, max=2)
    check(r["data"] == "00ff", "recv max=2, lower-case hex", r)
    r = a.ok("recv", sock=cs)
    check(r["data"] == "a5", "recv the rest", r)
    r = a.ok("send", sock=cs, data="")
    check(r["sent"] == 0, "send empty data", r)
    expect_err(a, "EINVAL", "send", sock=cs, data="abc")
    expect_err(a, "EINVAL", "send", sock=cs, data="zz")
    t0 = time.time()
    expect_err(a, "EAGAIN", "recv", sock=cs, timeoutMs=200)
    check(0.18 <= time.time() - t0 < 1.5, "recv waits timeoutMs", time.time() - t0)
    expect_err(a, "EINVAL", "recv", sock=cs, max=0)

    # shutdown wr -> FIN-WAIT-2 / CLOSE-WAIT, eof
    a.ok("shutdown", sock=cs, how="wr")
    r = a.ok("recv", sock=ss)
    check(r["data"] == "" and r["eof"] is True, "peer sees eof after shutdown wr", r)
    check(wait_state(a, c["local"], "192.0.2.2:5000", "FIN-WAIT-2") == "FIN-WAIT-2", "client FIN-WAIT-2")
    check(a.state_of("192.0.2.2:5000", c["local"]) == "CLOSE-WAIT", "server CLOSE-WAIT")
    r = a.ok("send", sock=ss, data="6869")
    r = a.ok("recv", sock=cs)
    check(r["data"] == "6869", "half-closed connection still carries data the other way", r)
    expect_err(a, "EINVAL", "shutdown", sock=cs, how="both")
    # close of the server -> client TIME-WAIT
    a.ok("close", sock=ss)
    check(wait_state(a, c["local"], "192.0.2.2:5000", "TIME-WAIT") == "TIME-WAIT", "close -> client TIME-WAIT")
    r = a.ok("recv", sock=cs)
    check(r["eof"] is True, "client sees eof", r)
    a.ok("close", sock=cs)
    expect_err(a, "EBADF", "close", sock=cs)

    # plain close/close -> TIME-WAIT on the active closer
    cs, ss, cl = pair(a, ls, 5000)
    a.ok("close", sock=cs)
    check(wait_state(a, cl, "192.0.2.2:5000", "FIN-WAIT-2") == "FIN-WAIT-2", "close: active closer FIN-WAIT-2")
    a.ok("close", sock=ss)
    check(wait_state(a, cl, "192.0.2.2:5000", "TIME-WAIT") == "TIME-WAIT", "close: active closer TIME-WAIT")

    # tcpinfo: the kernel's TCP_INFO of an established socket, by its tcpi_* names
    cs, ss, cl = pair(a, ls, 5000)
    i = a.ok("tcpinfo", sock=ss)["info"]
    check(i.get("tcpi_state") == 1 and i.get("tcpi_snd_mss", 0) > 0 and i.get("tcpi_snd_cwnd", 0) > 0
          and "tcpi_delivered" in i, "tcpinfo of an ESTABLISHED socket: state 1, mss, cwnd, delivered", i)
    r = a.ok("tcpinfo", sock=ls)["info"]
    check(r.get("tcpi_state") == 10, "tcpinfo of the listener: state 10 (LISTEN)", r)
    expect_err(a, "EBADF", "tcpinfo", sock=987)
    a.ok("close", sock=cs)
    a.ok("close", sock=ss)

    # urgent data (5b): send oob, the mark, poll pri, recv oob once, then EINVAL
    check(h.get("features") == ["oob"], "hello's features: oob", h.get("features"))
    cs, ss, cl = pair(a, ls, 5000)
    check(a.ok("atmark", sock=ss)["atmark"] is False, "atmark false before any urgent data")
    a.ok("send", sock=cs, data="616263", oob=True)
    check("pri" in a.ok("poll", sock=ss, events="pri", timeoutMs=1000)["revents"], "poll pri after urgent data")
    check(a.ok("atmark", sock=ss)["atmark"] is False, "atmark false with 2 octets before the mark")
    r = a.ok("recv", sock=ss)
    check(r["data"] == "6162", "recv stops at the mark, the urgent octet out of band", r)
    check(a.ok("atmark", sock=ss)["atmark"] is True, "atmark true at the mark")
    r = a.ok("recv", sock=ss, oob=True, timeoutMs=200)
    check(r["data"] == "63", "recv oob gives the urgent octet", r)
    expect_err(a, "EINVAL", "recv", sock=ss, oob=True, timeoutMs=0)
    expect_err(a, "EBADF", "atmark", sock=987)
    a.ok("close", sock=cs)
    a.ok("close", sock=ss)

    # sendto with fastopen: without a cookie for the peer the stack sends a SYN asking for one, and says EINPROGRESS
    s5 = a.ok("socket", family="inet")["sock"]
    r = expect_err(a, "EINPROGRESS", "sendto", sock=s5, addr="192.0.2.2", port=5000, data="68690a", fastopen=True)
    check(any(e["remote"] == "192.0.2.2:5000" and e["state"] in ("SYN-SENT", "ESTABLISHED") for e in a.states()),
          "sendto fastopen: a connection on its way", r)
    a.ok("setsockopt", sock=ls, name="TCP_FASTOPEN", value=5)
    a.ok("abort", sock=s5)
    expect_err(a, "EINVAL", "sendto", sock=ls, addr="192.0.2.2", port=5000, data="6", fastopen=True)

    # abort -> RST -> peer ECONNRESET, no endpoint left
    cs, ss, cl = pair(a, ls, 5000)
    a.ok("abort", sock=cs)
    r = expect_err(a, "ECONNRESET", "recv", sock=ss)
    check(r["error"] == "recv: Connection reset by peer", "error text", r)
    check(a.state_of(cl, "192.0.2.2:5000") is None and a.state_of("192.0.2.2:5000", cl) is None,
          "abort leaves no endpoint")
    a.ok("close", sock=ss)

    # SYN-SENT: 192.0.2.3 does not exist, the SYN goes unanswered
    c = a.ok("connect", addr="192.0.2.3", port=80)
    check(c["inProgress"] is True, "connect to silent host: inProgress", c)
    check(a.state_of(c["local"], "192.0.2.3:80") == "SYN-SENT", "SYN-SENT visible")
    r = a.ok("getsockopt", sock=c["sock"], name="SO_ERROR")
    check(r["value"] == 0 and r["error"] is None, "SO_ERROR 0/null while connecting", r)
    expect_err(a, "EALREADY", "connect", sock=c["sock"], addr="192.0.2.3", port=80)
    a.ok("abort", sock=c["sock"])

    # refused: RST from 192.0.2.1 -> SO_ERROR ECONNREFUSED
    c = a.ok("connect", addr="192.0.2.1", port=1)
    time.sleep(0.1)
    r = a.ok("getsockopt", sock=c["sock"], name="SO_ERROR")
    check(r["value"] == 111 and r["error"] == "ECONNREFUSED", "SO_ERROR ECONNREFUSED", r)
    a.ok("close", sock=c["sock"])

    # listener on 192.0.2.1 and connect with localPort
    L2 = a.ok("listen", port=6000, addr="192.0.2.1", backlog=4)
    check(L2["local"] == "192.0.2.1:6000", "listen on 192.0.2.1", L2)
    c = a.ok("connect", addr="192.0.2.1", port=6000, localPort=40000)
    check(c["local"].endswith(":40000"), "connect localPort", c)
    s = a.ok("accept", sock=L2["sock"], timeoutMs=2000)
    check(s["remote"] == c["local"] and s["local"] == "192.0.2.1:6000", "accept from localPort", s)
    r = a.req("connect", addr="192.0.2.1", port=6000, localPort=40000)
    check(r["ok"] is False and r["errno"] in ("EADDRNOTAVAIL", "EADDRINUSE"),
          "same 4-tuple again -> EADDRNOTAVAIL (Linux) / EADDRINUSE", r)

    # setsockopt / getsockopt
    so = a.ok("socket")["sock"]
    for name, val, want in [("TCP_NODELAY", 1, 1), ("TCP_NODELAY", 0, 0), ("SO_KEEPALIVE", 1, 1),
                            ("SO_LINGER", 5, 5), ("SO_LINGER", -1, -1), ("SO_LINGER", 0, 0),
                            ("TCP_MAXSEG", 1000, 1000), ("TCP_SYNCNT", 2, 2), ("TCP_LINGER2", 10, 10),
                            ("TCP_USER_TIMEOUT", 5000, 5000), ("TCP_KEEPIDLE", 30, 30),
                            ("TCP_KEEPINTVL", 5, 5), ("TCP_KEEPCNT", 3, 3), ("TCP_DEFER_ACCEPT", 5, None),
                            ("TCP_QUICKACK", 1, None), ("TCP_WINDOW_CLAMP", 20000, None),
                            ("SO_RCVBUF", 65536, 131072), ("SO_SNDBUF", 65536, 131072),
                            ("SO_REUSEADDR", 1, 1)]:
        r = a.req("setsockopt", sock=so, name=name, value=val)
        g = a.req("getsockopt", sock=so, name=name)
        check(r["ok"] and g["ok"] and (want is None or g["value"] == want),
              "setsockopt/getsockopt %s=%d" % (name, val), (r, g))
    r = a.req("setsockopt", sock=so, name="TCP_NODELAY", value=True)
    check(r["ok"] and a.ok("getsockopt", sock=so, name="TCP_NODELAY")["value"] == 1, "value true accepted")
    expect_err(a, "ENOPROTOOPT", "setsockopt", sock=so, name="SO_FOO", value=1)
    expect_err(a, "ENOPROTOOPT", "getsockopt", sock=so, name="tcp_nodelay")
    expect_err(a, "ENOPROTOOPT", "setsockopt", sock=so, name="SO_ERROR", value=1)
    expect_err(a, "EINVAL", "setsockopt", sock=so, name="TCP_MAXSEG", value=1)
    expect_err(a, "EINVAL", "setsockopt", sock=so, name="TCP_NODELAY")
    r = a.raw(b'{"id": 500, "cmd": "setsockopt", "sock": %d, "name": "\\ud83d\\ude00", "value": 1}' % so)
    check(r["errno"] == "ENOPROTOOPT" and r["error"].isascii(), "non-ASCII name echoed as ASCII", r)
    # 5d. error reports: IP_RECVERR, and a real ICMP error on the error queue. An nft rule in the dev namespace
    # answers a SYN to port 9 with an ICMP host unreachable; Linux queues it on a SYN-SENT socket with IP_RECVERR.
    r = a.req("setsockopt", sock=so, name="IP_RECVERR", value=1)
    check(r["ok"] and a.ok("getsockopt", sock=so, name="IP_RECVERR")["value"] == 1, "setsockopt/getsockopt IP_RECVERR=1", r)
    check(a.ok("errqueue", sock=so)["errors"] == [], "errqueue of a fresh socket is []")
    expect_err(a, "EBADF", "errqueue", sock=999)
    if shutil.which("nft"):
        sh("ip", "netns", "exec", NS, "nft", "add table ip tcpct_dev; add chain ip tcpct_dev c "
           "{ type filter hook output priority 0; }; add rule ip tcpct_dev c tcp dport 9 reject with icmp type host-unreachable")
        es = a.ok("socket")["sock"]
        a.ok("setsockopt", sock=es, name="IP_RECVERR", value=1)
        a.req("connect", sock=es, addr="192.0.2.1", port=9)
        got = []
        for _ in range(50):  # bounded: 50 x 20 ms
            got = a.ok("errqueue", sock=es)["errors"]
            if got:
                break
            time.sleep(0.02)
        sh("ip", "netns", "exec", NS, "nft", "delete table ip tcpct_dev")
        check(len(got) == 1 and got[0]["origin"] == "icmp" and (got[0]["type"], got[0]["code"]) == (3, 1)
              and got[0]["errno"] == "EHOSTUNREACH" and got[0]["offender"] is not None,
              "errqueue: the ICMP host unreachable of a SYN, origin icmp 3/1 EHOSTUNREACH", got)
        a.ok("close", sock=es)
    # listen on a prepared socket
    L3 = a.ok("listen", sock=so, port=5001)
    check(L3["sock"] == so and L3["local"] == "0.0.0.0:5001", "listen with existing sock", L3)
    expect_err(a, "EINVAL", "listen", sock=so, port=5002)  # already bound

    # IPv6: dual-stack listener, v4 client shows in IPv4 form
    v6 = os.path.exists("/proc/sys/net/ipv6")
    if v6:
        s6 = a.ok("socket", family="inet6")["sock"]
        L6 = a.ok("listen", sock=s6, port=5002)
        check(L6["local"] == "[::]:5002", "inet6 listen local [::]:5002", L6)
        c = a.ok("connect", addr="192.0.2.2", port=5002)
        s = a.ok("accept", sock=s6)
        check(s["remote"] == c["local"] and s["local"] == "192.0.2.2:5002", "v4-mapped shown as IPv4", s)
        e = [x for x in a.states() if x["local"] == "192.0.2.2:5002"]
        check(len(e) == 1 and e[0]["state"] == "ESTABLISHED", "v4-mapped in tcp6 shown as IPv4", e)
        c = a.ok("connect", addr="[::1]", port=5002)
        check(c["local"].startswith("[::1]:"), "connect to [::1]", c)
        s = a.ok("accept", sock=s6)
        check(s["remote"] == c["local"] and s["local"] == "[::1]:5002", "accept from ::1", s)
        check(a.state_of(c["local"], "[::1]:5002") == "ESTABLISHED", "IPv6 endpoint in states")
        check(any(x["local"] == "[::]:5002" and x["state"] == "LISTEN" for x in a.states()), "[::]:5002 LISTEN")
        s4 = a.ok("socket", family="inet")["sock"]
        expect_err(a, "EAFNOSUPPORT", "connect", sock=s4, addr="::1", port=5002)
        c = a.ok("connect", sock=s4, addr="::ffff:192.0.2.2", port=5002)
        check(c["sock"] == s4, "v4-mapped address on an inet socket", c)

    # SYN-RECEIVED: a SYN from the non-existent 192.0.2.77 (sent with a raw
    # socket inside the namespace); the SYN-ACK goes unanswered
    syn_received_test(a)

    # "states" answers from inet_diag; /proc/net/tcp{,6} read in the same
    # namespace at the same moment must list the same endpoints and states
    # (nothing moves here: the connections are idle, the SYN-RECEIVED one
    # retransmits its SYN,ACK but stays)
    proc = subprocess.run(["ip", "netns", "exec", NS, agent, "--parse-proc", "/proc/net/tcp", "/proc/net/tcp6"],
                          capture_output=True, text=True)
    key = lambda x: (x["local"], x["remote"], x["state"], x["code"])
    via_diag = sorted(map(key, a.states()))
    via_proc = sorted(map(key, json.loads(proc.stdout)["endpoints"])) if proc.returncode == 0 else proc.stderr
    check(via_diag == via_proc and len(via_diag) >= 10, "states (inet_diag) equals /proc/net/tcp{,6}: %d endpoints"
          % len(via_diag), (via_diag, via_proc))
    check(any(x[2] == "SYN-RECEIVED" for x in via_diag), "a request socket is listed as SYN-RECEIVED", via_diag)

    # reset
    r = a.ok("reset")
    check(r["closed"] >= 10, "reset closes everything", r)
    n_owned = r["closed"]
    r = a.ok("reset")
    check(r["closed"] == 0, "second reset closes nothing", r)
    # request sockets of a closed listener linger until their SYN-ACK timer fires
    end = time.time() + 5
    while True:
        left = [x for x in a.states() if x["state"] != "TIME-WAIT"]
        if not left or time.time() > end:
            break
        time.sleep(0.1)
    check(left == [], "after reset only TIME-WAIT endpoints remain", left)
    expect_err(a, "EBADF", "close", sock=ls)

    # bye
    r = a.ok("bye")
    check(r == {"id": r["id"], "ok": True}, "bye -> {}", r)
    check(a.f.readline() == b"", "agent closes the connection after bye")
    rc = wait_exit(p)
    check(rc == 0, "agent exits 0 after bye", rc)
    a.close()
    log = open(WORK + "/agent-1.log", "rb").read().decode()
    lines = log.splitlines()
    check(any(l.split(" ", 2)[1] == "<" for l in lines) and any(l.split(" ", 2)[1] == ">" for l in lines)
          and all(l.split(" ", 1)[0].isdigit() for l in lines), "stderr log: '<ms> <|>|# line'", lines[:3])
    print("    (session 1: %d sockets closed by reset, %d log lines)" % (n_owned, len(lines)))


SYN_SENDER = r'''
import socket, struct, sys
src, dst, sport, dport = "192.0.2.77", "192.0.2.2", 33333, int(sys.argv[1])
def cs(b):
    if len(b) % 2: b += b"\0"
    s = sum(struct.unpack("!%dH" % (len(b)//2), b))
    while s >> 16: s = (s & 0xFFFF) + (s >> 16)
    return ~s & 0xFFFF
tcp = struct.pack("!HHIIBBHHH", sport, dport, 1000, 0, 5 << 4, 0x02, 64240, 0, 0)
pseudo = socket.inet_aton(src) + socket.inet_aton(dst) + struct.pack("!BBH", 0, 6, len(tcp))
tcp = tcp[:16] + struct.pack("!H", cs(pseudo + tcp)) + tcp[18:]
ip = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(tcp), 1, 0, 64, 6, 0, socket.inet_aton(src), socket.inet_aton(dst))
ip = ip[:10] + struct.pack("!H", cs(ip)) + ip[12:]
s = socket.socket(socket.AF_INET, socket.SOCK_RAW, socket.IPPROTO_RAW)
s.sendto(ip + tcp, (dst, 0))
'''


def syn_received_test(a):
    L = a.ok("listen", port=7000, addr="192.0.2.2")
    r = subprocess.run(["ip", "netns", "exec", NS, sys.executable, "-c", SYN_SENDER, "7000"],
                       capture_output=True, text=True)
    if not check(r.returncode == 0, "raw SYN sent", r.stderr):
        return
    st = wait_state(a, "192.0.2.2:7000", "192.0.2.77:33333", "SYN-RECEIVED", 1.0)
    check(st == "SYN-RECEIVED", "SYN-RECEIVED visible (request socket)", st)
    a.ok("close", sock=L["sock"])


def test_eof_exit(agent):
    print("session 2: EOF exits")
    p = start_agent(agent, "2")
    a = Agent()
    a.ok("hello")
    a.ok("listen", port=5000)
    a.close()
    check(wait_exit(p) == 0, "agent exits 0 on EOF")

    print("session 3: harness hangs up during a 60 s accept")
    p = start_agent(agent, "3")
    a = Agent()
    ls = a.ok("listen", port=5000)["sock"]
    a.s.sendall(b'{"id": 9, "cmd": "accept", "sock": %d, "timeoutMs": 60000}\n' % ls)
    time.sleep(0.2)
    a.close()
    t0 = time.time()
    rc = wait_exit(p)
    check(rc == 0 and time.time() - t0 < 2, "agent exits at once when the harness hangs up", rc)

    print("session 4: half-closed harness still gets its answers")
    p = start_agent(agent, "4")
    a = Agent()
    a.s.sendall(b'{"id": 1, "cmd": "hello"}\n{"id": 2, "cmd": "states"}')  # last line without \n
    a.s.shutdown(socket.SHUT_WR)
    r1, r2 = json.loads(a.f.readline()), json.loads(a.f.readline())
    check(r1["id"] == 1 and r2["id"] == 2 and r2["ok"], "requests before EOF answered", (r1, r2))
    check(wait_exit(p) == 0, "then exit 0")
    a.close()

    print("session 5: SIGTERM")
    p = start_agent(agent, "5")
    time.sleep(0.1)
    # the agent is a child of `ip netns exec`, which execs it: same pid
    os.kill(p.pid, signal.SIGTERM)
    check(wait_exit(p) == 0 and not os.path.exists(SOCK), "SIGTERM: exit 0, socket file removed")


def test_parse_proc(agent):
    print("--parse-proc")
    td = os.path.join(HERE, "testdata")
    for inp, exp in [(["tcp.txt"], "tcp.expected.json"), (["tcp6.txt"], "tcp6.expected.json"),
                     (["tcp.txt", "tcp6.txt"], "tcp+tcp6.expected.json")]:
        r = subprocess.run([agent, "--parse-proc"] + [os.path.join(td, f) for f in inp],
                           capture_output=True, text=True)
        want = open(os.path.join(td, exp)).read()
        check(r.returncode == 0 and r.stdout == want, "parse %s == %s" % (" ".join(inp), exp),
              (r.returncode, r.stdout[:200], r.stderr))
    r = subprocess.run([agent, "--parse-proc", os.path.join(td, "tcp-malformed.txt")],
                       capture_output=True, text=True)
    check(r.returncode == 2 and "tcp-malformed.txt:4:" in r.stderr and r.stderr.count("\n") == 1,
          "malformed file: exit 2, names line 4", r.stderr)
    r = subprocess.run([agent, "--parse-proc", "/nonexistent/tcp"], capture_output=True, text=True)
    check(r.returncode == 2 and "/nonexistent/tcp" in r.stderr, "missing file: exit 2", r.stderr)
    files = [f for f in ("/proc/net/tcp", "/proc/net/tcp6") if os.path.exists(f)]
    r = subprocess.run([agent, "--parse-proc"] + files, capture_output=True, text=True)
    ok = r.returncode == 0
    if ok:
        eps = json.loads(r.stdout)["endpoints"]
        n = sum(len(open(f).read().splitlines()) - 1 for f in files)
        ok = len(eps) >= 0 and abs(len(eps) - n) <= 5  # the tables may change between the two reads
    check(ok, "real %s parsed" % " ".join(files), (r.returncode, r.stderr))


def main():
    if os.geteuid() != 0:
        sys.exit("devtest.py: must run as root (creates a network namespace)")
    os.makedirs(WORK, exist_ok=True)
    if len(sys.argv) > 1:
        agent = os.path.abspath(sys.argv[1])
    else:
        sh(os.path.join(HERE, "..", "build.sh"), WORK + "/build")
        agent = WORK + "/build/agent"
    try:
        netns_up()
        test_session(agent)
        test_eof_exit(agent)
        test_parse_proc(agent)
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
                p.wait()
        netns_down()
        if os.path.exists(SOCK):
            os.unlink(SOCK)
    print("%d passed, %d failed" % (passed, len(failed)))
    for f in failed:
        print("  failed: " + f)
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
