#!/usr/bin/env python3
# Dev test of the lwIP agent outside Docker; as root:
#   python3 targets/lwip/agent/devtest.py [AGENT_BINARY]
#
# Makes two network namespaces joined by a veth pair: tcpct-lwipdevA holds
# eth0 with no address (the agent runs lwIP on it through AF_PACKET, as in the
# container), tcpct-lwipdevB holds peer0 with 192.0.2.1/24 and the kernel's TCP
# as the peer (checksum offload off, so lwIP accepts its frames). Drives every
# command over the unix control socket, then deletes both namespaces. Without
# AGENT_BINARY it builds one with ../build.sh. Touches nothing outside those
# namespaces and /tmp/tcpct-lwipdev.
import json
import os
import shutil
import socket
import subprocess
import sys
import time

NS_A, NS_B = "tcpct-lwipdevA", "tcpct-lwipdevB"
WORK = "/tmp/tcpct-lwipdev"
SOCK = WORK + "/agent.sock"
HERE = os.path.dirname(os.path.abspath(__file__))
COMMANDS = ["hello", "socket", "setsockopt", "getsockopt", "listen", "accept", "connect",
            "send", "recv", "shutdown", "close", "abort", "states", "reset", "bye"]

passed = 0
failed = []


def check(cond, what, detail=None):
    global passed
    if cond:
        passed += 1
        print("  ok   " + what)
    else:
        failed.append(what)
        print("  FAIL " + what + ("" if detail is None else "  -- " + repr(detail)))
    return cond


def sh(*args):
    r = subprocess.run(list(args), capture_output=True, text=True)
    if r.returncode != 0:
        raise RuntimeError("%s: %s" % (" ".join(args), r.stderr.strip()))
    return r.stdout


def netns_down():
    for ns in (NS_A, NS_B):
        subprocess.run(["ip", "netns", "del", ns], capture_output=True)


def netns_up():
    netns_down()
    sh("ip", "netns", "add", NS_A)
    sh("ip", "netns", "add", NS_B)
    sh("ip", "-n", NS_A, "link", "add", "eth0", "type", "veth", "peer", "name", "peer0", "netns", NS_B)
    for ns, dev in ((NS_A, "eth0"), (NS_B, "peer0")):
        sh("ip", "netns", "exec", ns, "sh", "-c", "echo 1 > /proc/sys/net/ipv6/conf/%s/disable_ipv6" % dev)
        sh("ip", "-n", ns, "link", "set", "lo", "up")
        sh("ip", "-n", ns, "link", "set", dev, "up")
    sh("ip", "-n", NS_B, "addr", "add", "192.0.2.1/24", "dev", "peer0")
    sh("ip", "netns", "exec", NS_B, "ethtool", "-K", "peer0", "tx", "off")


def peer(code):
    """Runs Python code in the peer namespace (the kernel's TCP at 192.0.2.1)."""
    return subprocess.Popen(["ip", "netns", "exec", NS_B, sys.executable, "-c", code],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


class Agent:
    def __init__(self, path):
        deadline = time.time() + 10
        while True:
            try:
                self.s = socket.socket(socket.AF_UNIX)
                self.s.connect(path)
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.05)
        self.f = self.s.makefile("rwb")
        self.n = 0

    def raw(self, line):
        self.f.write(line if isinstance(line, bytes) else line.encode())
        self.f.flush()
        return json.loads(self.f.readline())

    def call(self, cmd, **kw):
        self.n += 1
        kw.update(id=self.n, cmd=cmd)
        return self.raw(json.dumps(kw) + "\n")


def state_of(a, remote_port=None, local_port=None):
    for e in a.call("states")["endpoints"]:
        if remote_port is not None and e["remote"].endswith(":%d" % remote_port):
            return e["state"]
        if local_port is not None and e["local"].endswith(":%d" % local_port) and e["remote"] == "0.0.0.0:0":
            return e["state"]
    return "CLOSED"


def wait_state(a, want, **kw):
    deadline = time.time() + 3
    while time.time() < deadline:
        st = state_of(a, **kw)
        if st == want:
            return st
        time.sleep(0.05)
    return state_of(a, **kw)


def main():
    binary = sys.argv[1] if len(sys.argv) > 1 else None
    shutil.rmtree(WORK, ignore_errors=True)
    os.makedirs(WORK)
    if binary is None:
        subprocess.run(["sh", os.path.join(HERE, "..", "build.sh"), WORK + "/ctx"], check=True)
        binary = WORK + "/ctx/agent"
    netns_up()
    log = open(WORK + "/agent.log", "w")
    proc = subprocess.Popen(["ip", "netns", "exec", NS_A, binary, "--control", SOCK], stderr=log)
    try:
        run(Agent(SOCK), proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        netns_down()
    print("%d passed, %d failed" % (passed, len(failed)))
    if failed:
        print("agent log: " + WORK + "/agent.log")
    sys.exit(1 if failed else 0)


def run(a, proc):
    print("hello")
    h = a.call("hello")
    check(h["ok"] and h["protocol"] == 1 and h["agent"] == "tcpct-lwip-agent", "hello names the agent", h)
    check(h["commands"] == COMMANDS, "hello lists every command", h.get("commands"))
    check(h["stack"].startswith("lwIP 2.1.3") and h["hiddenStates"] == [], "hello: stack and hiddenStates", h)

    print("passive open, data, passive close")
    l = a.call("listen", port=5000)
    check(l["ok"] and l["local"] == "0.0.0.0:5000", "listen", l)
    check(state_of(a, local_port=5000) == "LISTEN", "the listener is in LISTEN")
    e = a.call("accept", sock=l["sock"], timeoutMs=100)
    check(not e["ok"] and e["errno"] == "EAGAIN", "accept times out with EAGAIN", e)
    p = peer("import socket,time\n"
             "s=socket.create_connection(('192.0.2.2',5000),timeout=5)\n"
             "s.sendall(b'hello')\nprint(s.recv(100).decode())\ntime.sleep(0.5)\ns.close()\ntime.sleep(1)\n")
    c = a.call("accept", sock=l["sock"], timeoutMs=3000)
    check(c["ok"] and c["local"] == "192.0.2.2:5000" and c["remote"].startswith("192.0.2.1:"), "accept", c)
    rport = int(c["remote"].rsplit(":", 1)[1])
    check(state_of(a, remote_port=rport) == "ESTABLISHED", "the connection is ESTABLISHED")
    r = a.call("recv", sock=c["sock"], timeoutMs=2000)
    check(r["ok"] and r["data"] == b"hello".hex() and r["eof"] is False, "recv reads the peer's data", r)
    e = a.call("send", sock=c["sock"], data="21", oob=True)
    check(e.get("errno") == "ENOSYS", "send with oob: ENOSYS (the raw API has no urgent data)", e)
    e = a.call("recv", sock=c["sock"], oob=True, timeoutMs=0)
    check(e.get("errno") == "ENOSYS", "recv with oob: ENOSYS", e)
    check(a.call("send", sock=c["sock"], data="776f726c64", oob=False)["sent"] == 5, "send (oob false: the ordinary call)")
    check(wait_state(a, "CLOSE-WAIT", remote_port=rport) == "CLOSE-WAIT", "the peer's FIN gives CLOSE-WAIT")
    r = a.call("recv", sock=c["sock"], timeoutMs=1000)
    check(r["ok"] and r["data"] == "" and r["eof"] is True, "recv reports EOF", r)
    check(a.call("close", sock=c["sock"])["ok"], "close")
    check(wait_state(a, "CLOSED", remote_port=rport) == "CLOSED", "LAST-ACK, then CLOSED on the peer's ACK")
    out, _ = p.communicate(timeout=10)
    check(out.strip() == "world", "the peer read the agent's data", out)
    r = a.call("recv", sock=c["sock"])
    check(r["errno"] == "EBADF", "a closed sock is no longer owned", r)

    print("active open, half close, active close into TIME-WAIT")
    p = peer("import socket,time\n"
             "s=socket.socket(); s.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\n"
             "s.bind(('192.0.2.1',8080)); s.listen(); c,_=s.accept()\n"
             "print(c.recv(100).decode()); print(c.recv(100)==b''); c.sendall(b'late'); time.sleep(0.5); c.close()\n")
    time.sleep(0.3)
    s = a.call("socket")
    check(s["ok"], "socket", s)
    check(a.call("setsockopt", sock=s["sock"], name="TCP_NODELAY", value=True)["ok"], "setsockopt TCP_NODELAY")
    g = a.call("getsockopt", sock=s["sock"], name="TCP_NODELAY")
    check(g["ok"] and g["value"] == 1, "getsockopt TCP_NODELAY", g)
    e = a.call("setsockopt", sock=s["sock"], name="TCP_SYNCNT", value=3)
    check(e["errno"] == "ENOSYS", "setsockopt TCP_SYNCNT: ENOSYS (compile-time TCP_SYNMAXRTX)", e)
    e = a.call("setsockopt", sock=s["sock"], name="SO_FROB", value=1)
    check(e["errno"] == "ENOPROTOOPT", "an unknown option: ENOPROTOOPT", e)
    cn = a.call("connect", sock=s["sock"], addr="192.0.2.1", port=8080)
    check(cn["ok"] and cn["inProgress"] is True and cn["local"].startswith("192.0.2.2:"), "connect is non-blocking", cn)
    check(wait_state(a, "ESTABLISHED", remote_port=8080) == "ESTABLISHED", "SYN-SENT, then ESTABLISHED")
    g = a.call("getsockopt", sock=s["sock"], name="SO_ERROR")
    check(g["value"] == 0 and g["error"] is None, "SO_ERROR is 0", g)
    a.call("send", sock=s["sock"], data=b"ping".hex())
    check(a.call("shutdown", sock=s["sock"], how="wr")["ok"], "shutdown wr")
    check(wait_state(a, "FIN-WAIT-2", remote_port=8080) == "FIN-WAIT-2", "FIN-WAIT-1, then FIN-WAIT-2")
    r = a.call("recv", sock=s["sock"], timeoutMs=3000)
    check(r["ok"] and r["data"] == b"late".hex(), "data still arrives after shutdown wr", r)
    check(wait_state(a, "TIME-WAIT", remote_port=8080) == "TIME-WAIT", "the peer's FIN gives TIME-WAIT")
    e = a.call("send", sock=s["sock"], data="00")
    check(e["errno"] == "EPIPE", "send after shutdown wr: EPIPE", e)
    check(a.call("close", sock=s["sock"])["ok"], "close in TIME-WAIT")
    check(state_of(a, remote_port=8080) == "TIME-WAIT", "TIME-WAIT stays after close (2*TCP_MSL = 120 s)")
    out, _ = p.communicate(timeout=10)
    check(out.split() == ["ping", "True"], "the peer read the data and the FIN", out)

    print("refused connect, abort")
    cn = a.call("connect", addr="192.0.2.1", port=9)
    time.sleep(0.3)
    g = a.call("getsockopt", sock=cn["sock"], name="SO_ERROR")
    check(g["error"] == "ECONNREFUSED", "a RST to the SYN: SO_ERROR ECONNREFUSED", g)
    g = a.call("getsockopt", sock=cn["sock"], name="SO_ERROR")
    check(g["value"] == 0, "reading SO_ERROR cleared it", g)
    a.call("close", sock=cn["sock"])
    p = peer("import socket\n"
             "s=socket.create_connection(('192.0.2.2',5000),timeout=5)\n"
             "try:\n print(repr(s.recv(10)))\nexcept ConnectionResetError:\n print('reset')\n")
    c = a.call("accept", sock=l["sock"], timeoutMs=3000)
    check(c["ok"], "accept a second connection", c)
    check(a.call("abort", sock=c["sock"])["ok"], "abort")
    out, _ = p.communicate(timeout=10)
    check(out.strip() == "reset", "abort sends RST", out)

    print("errors")
    check(a.call("recv", sock=99)["errno"] == "EBADF", "EBADF")
    check(a.call("send", sock=l["sock"], data="xyz")["errno"] == "EINVAL", "odd hex: EINVAL")
    check(a.call("send", sock=l["sock"], data="78")["errno"] == "ENOTCONN", "send on a listener: ENOTCONN")
    check(a.call("listen", port=5000)["errno"] == "EADDRINUSE", "a second listener on the port: EADDRINUSE")
    r6 = a.call("connect", addr="2001:db8::1", port=1)
    check(r6.get("ok") is True and r6.get("inProgress") is True, "IPv6 connect: under way (the agent has IPv6)", r6)
    if r6.get("ok"):
        a.call("abort", sock=r6["sock"])
    check(a.call("frobnicate")["errno"] == "ENOSYS", "unknown command: ENOSYS")
    r = a.raw('{"id":7,"cmd":"hello"\n')
    check(r["id"] is None and r["errno"] == "EPROTO", "malformed JSON: EPROTO, id null", r)
    r = a.raw('{"id":"7","cmd":"hello"}\n')
    check(r["id"] is None and r["errno"] == "EPROTO", "string id: EPROTO", r)
    r = a.raw('{"id":8,"cmd":"hello","cmd":"bye"}\n')
    check(r["errno"] == "EPROTO", "duplicate key: EPROTO", r)
    r = a.raw('{"id":9,"cmd":"listen","port":{"a":1}}\n')
    check(r["errno"] == "EPROTO", "nested object: EPROTO", r)
    r = a.raw('{"id":10,"cmd":"listen","port":1.5}\n')
    check(r["errno"] == "EPROTO", "fraction: EPROTO", r)
    r = a.raw(b'{"id":11,"cmd":"h\\u0065llo","x":"\\ud83d\\ude00"}\n')
    check(r["ok"] and r["id"] == 11, "escapes and surrogate pairs", r)
    r = a.raw(b"\n" + b'{"id":12,"cmd":"hello"}\r\n')
    check(r["id"] == 12, "blank lines ignored, CRLF tolerated", r)
    r = a.raw(b'{"id":13,"x":"' + b"a" * 70000 + b'"}\n')
    check(r["id"] is None and r["errno"] == "EPROTO", "an over-long line: EPROTO", r)
    check(a.call("hello")["ok"], "the agent carries on after a long line")

    print("reset, EOF during a wait")
    r = a.call("reset")
    check(r["ok"] and r["closed"] == 1, "reset closes the listener", r)
    check(state_of(a, local_port=5000) == "CLOSED", "no listener after reset")
    a.call("listen", port=5001)
    a.f.write(b'{"id":99,"cmd":"accept","sock":3,"timeoutMs":60000}\n')
    a.f.flush()
    time.sleep(0.3)
    a.s.shutdown(socket.SHUT_RDWR)
    a.s.close()
    try:
        rc = proc.wait(timeout=5)
    except subprocess.TimeoutExpired:
        rc = None
    check(rc == 0, "the agent exits 0 when the harness hangs up during accept", rc)


if __name__ == "__main__":
    if os.geteuid() != 0:
        sys.exit("devtest.py: run as root (it makes network namespaces)")
    main()
