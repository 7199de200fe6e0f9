#!/usr/bin/env python3
"""Developer test of the ns-3 agent's protocol handling (no harness needed).

Run as root:  python3 targets/ns3/agent/devtest.py BUILD_OUTDIR
where BUILD_OUTDIR is what `targets/ns3/build.sh BUILD_OUTDIR` wrote. Each agent runs in a network
namespace of its own (unshare -n) holding a veth pair eth0/peer0 and no address, so nothing leaves
the namespace. Checks the framing, errors and commands that do not need a TCP peer; the conformance
suite (./tcpct run --target ns3) covers the rest. Prints 'N passed, N failed'.
"""
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

failures = []
passes = 0


def check(name, cond, detail=""):
    global passes
    if cond:
        passes += 1
    else:
        failures.append(name)
        print(f"FAIL {name} {detail}")


class Agent:
    def __init__(self, outdir):
        self.dir = tempfile.mkdtemp(prefix="ns3-devtest-")
        self.path = os.path.join(self.dir, "agent.sock")
        agent = os.path.join(outdir, "rootfs", "agent")
        script = ("ip link add eth0 type veth peer name peer0 && ip link set eth0 up && "
                  "ip link set peer0 up && exec " + agent + " --control " + self.path)
        self.log = open(os.path.join(self.dir, "agent.log"), "w+")
        self.proc = subprocess.Popen(["unshare", "-n", "sh", "-c", script], stderr=self.log)
        for _ in range(500):
            if os.path.exists(self.path):
                break
            time.sleep(0.01)
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.path)
        self.buf = b""
        self.next = 1

    def line(self, timeout=5.0):
        self.sock.settimeout(timeout)
        while b"\n" not in self.buf:
            chunk = self.sock.recv(65536)
            if not chunk:
                raise EOFError
            self.buf += chunk
        line, self.buf = self.buf.split(b"\n", 1)
        return json.loads(line)

    def raw(self, data):
        self.sock.sendall(data)

    def call(self, cmd, **args):
        req = {"id": self.next, "cmd": cmd}
        self.next += 1
        req.update(args)
        self.raw((json.dumps(req) + "\n").encode())
        return self.line()

    def wait_exit(self, timeout=5.0):
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            return None


def main():
    outdir = sys.argv[1]

    a = Agent(outdir)
    r = a.call("hello")
    check("hello ok", r.get("ok") and r.get("protocol") == 1 and r.get("probe") == "agent", r)
    check("hello lists commands", "states" in r.get("commands", []) and "bye" in r["commands"], r)
    check("hello hiddenStates", r.get("hiddenStates") == [], r)
    check("socket file removed after accept", not os.path.exists(a.path))

    a.raw(b"\n\r\n")  # blank lines: no answer
    a.raw(b'{"id":2,"cmd":"hello"\n')
    r = a.line()
    check("malformed -> EPROTO, id null", r["id"] is None and r["errno"] == "EPROTO", r)
    a.raw(b'{"id":"x","cmd":"hello"}\n')
    r = a.line()
    check("string id -> EPROTO", r["id"] is None and r["errno"] == "EPROTO", r)
    a.raw(b'{"id":3,"cmd":"hello","a":1.5}\n')
    r = a.line()
    check("fraction -> EPROTO", r["errno"] == "EPROTO", r)
    a.raw(b'{"id":4,"cmd":"hello","a":[1]}\n')
    r = a.line()
    check("array -> EPROTO", r["errno"] == "EPROTO", r)
    a.raw(b'{"id":5,"cmd":"hello","cmd":"bye"}\n')
    r = a.line()
    check("duplicate key -> EPROTO", r["errno"] == "EPROTO", r)
    a.raw(b'{"id":6,"cmd":"hello","x":"\\ud83d\\ude00","n":null}\r\n')
    r = a.line()
    check("surrogate pair, null, CRLF accepted", r.get("ok") is True and r["id"] == 6, r)
    a.raw(b'{"id":7,"cmd":"x' + b"y" * 70000 + b'"}\n')
    r = a.line()
    check("long line -> EPROTO", r["id"] is None and r["errno"] == "EPROTO", r)
    r = a.call("hello")
    check("after a long line the agent goes on", r.get("ok") is True, r)

    r = a.call("frobnicate")
    check("unknown -> ENOSYS", r["errno"] == "ENOSYS", r)
    r = a.call("recv", sock=99)
    check("not owned -> EBADF", r["errno"] == "EBADF", r)
    r = a.call("socket", family="inet6")
    check("inet6 -> EAFNOSUPPORT", r["errno"] == "EAFNOSUPPORT", r)
    r = a.call("listen")
    check("listen without port -> EINVAL", r["errno"] == "EINVAL", r)

    r = a.call("listen", port=5000)
    check("listen", r.get("ok") and r["local"] == "0.0.0.0:5000", r)
    lsock = r.get("sock")
    r = a.call("listen", port=5000)
    check("listen twice -> EADDRINUSE", r.get("errno") == "EADDRINUSE", r)
    r = a.call("states")
    check("states shows the listener",
          r.get("endpoints") == [{"local": "0.0.0.0:5000", "remote": "0.0.0.0:0", "state": "LISTEN", "code": "0A"}], r)
    t0 = time.monotonic()
    r = a.call("accept", sock=lsock, timeoutMs=200)
    dt = time.monotonic() - t0
    check("accept times out -> EAGAIN", r.get("errno") == "EAGAIN" and 0.19 < dt < 1.0, (r, dt))
    r = a.call("recv", sock=lsock, timeoutMs=0)
    check("recv on a listener -> ENOTCONN", r.get("errno") == "ENOTCONN", r)
    r = a.call("send", sock=lsock, data="78")
    check("send on a listener -> ENOTCONN", r.get("errno") == "ENOTCONN", r)
    r = a.call("send", sock=lsock, data="787")
    check("odd hex -> EINVAL", r.get("errno") == "EINVAL", r)

    r = a.call("socket")
    s = r.get("sock")
    check("socket", r.get("ok") and isinstance(s, int), r)
    r = a.call("setsockopt", sock=s, name="TCP_SYNCNT", value=3)
    check("setsockopt TCP_SYNCNT", r.get("ok"), r)
    r = a.call("getsockopt", sock=s, name="TCP_SYNCNT")
    check("getsockopt TCP_SYNCNT", r.get("value") == 3, r)
    r = a.call("setsockopt", sock=s, name="TCP_NODELAY", value=False)
    r = a.call("getsockopt", sock=s, name="TCP_NODELAY")
    check("TCP_NODELAY false", r.get("value") == 0, r)
    r = a.call("setsockopt", sock=s, name="SO_LINGER", value=0)
    check("SO_LINGER -> ENOPROTOOPT", r.get("errno") == "ENOPROTOOPT", r)
    r = a.call("setsockopt", sock=s, name="SO_ERROR", value=0)
    check("set SO_ERROR -> ENOPROTOOPT", r.get("errno") == "ENOPROTOOPT", r)
    r = a.call("getsockopt", sock=s, name="SO_ERROR")
    check("SO_ERROR 0", r.get("value") == 0 and r.get("error") is None, r)
    r = a.call("connect", sock=s, addr="2001:db8::1", port=80)
    check("IPv6 connect -> EAFNOSUPPORT", r.get("errno") == "EAFNOSUPPORT", r)
    r = a.call("connect", sock=s, addr="192.0.2.1", port=7)
    check("connect in progress", r.get("ok") and r.get("inProgress") is True and r["local"].startswith("192.0.2.2:"), r)
    r = a.call("states")
    states = sorted(e["state"] for e in r.get("endpoints", []))
    check("states: LISTEN and SYN-SENT", states == ["LISTEN", "SYN-SENT"], r)
    r = a.call("reset")
    check("reset closes 2", r.get("closed") == 2, r)
    r = a.call("states")
    check("nothing left after reset", r.get("endpoints") == [], r)
    r = a.call("bye")
    check("bye answered", r.get("ok") is True, r)
    check("exit 0 after bye", a.wait_exit() == 0)

    # EOF: complete requests are answered first, then the agent exits with 0.
    b = Agent(outdir)
    b.raw(b'{"id":1,"cmd":"hello"}\n{"id":2,"cmd":"states"}\n')
    b.sock.shutdown(socket.SHUT_WR)
    r1, r2 = b.line(), b.line()
    check("answers before EOF", r1["id"] == 1 and r2["id"] == 2, (r1, r2))
    check("exit 0 on EOF", b.wait_exit() == 0)

    # Hang-up during a wait ends the agent at once.
    c = Agent(outdir)
    r = c.call("listen", port=6000)
    c.raw((json.dumps({"id": 9, "cmd": "accept", "sock": r["sock"], "timeoutMs": 60000}) + "\n").encode())
    time.sleep(0.2)
    t0 = time.monotonic()
    c.sock.close()
    rc = c.wait_exit(5)
    check("exit on hang-up during a wait", rc == 0 and time.monotonic() - t0 < 2, rc)

    print(f"{passes} passed, {len(failures)} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
