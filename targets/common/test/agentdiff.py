#!/usr/bin/env python3
# Compares the answers of two agent binaries to one corpus of requests, byte for byte; as root:
#   python3 targets/common/test/agentdiff.py OLD_AGENT NEW_AGENT [extra agent args...]
#
# For checking that a change to targets/common (or to an agent) leaves the protocol as it was: build
# the agent before and after (its build.sh OUTDIR), then compare. Each binary runs in a private network
# namespace (unshare -n: lo up, a veth pair eth0 <-> peer0, gone when the agent exits) and gets the
# same corpus in one write: well-formed commands, malformed JSON, blank and over-long lines, and a last
# line without '\n' before the harness half-closes. Prints the differing answers and exits 1 if any
# differ, 0 if all are the same, 2 on bad usage. Leaves nothing behind (its temporary folder is removed).
import difflib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

SETUP = ("ip link set lo up; ip link add eth0 type veth peer name peer0; "
         "ip addr add 192.0.2.9/24 dev peer0; ip link set eth0 up; ip link set peer0 up; exec \"$0\" \"$@\"")


def corpus():
    L = []
    def add(x): L.append(x if isinstance(x, bytes) else x.encode())
    add('{"id":1,"cmd":"hello"}')
    add('')
    add('   \t ')
    add('{"id":2,"cmd":"nope"}\r')
    add('{"id":3,"cmd":"n\\u00e9\\ud83d\\ude00"}')
    add(b'{"id":4,"cmd":"\xc3\xa9x"}')
    add('not json')
    add('{"id":5')
    add('{"id":5,  ')
    add('{"id":6,"id":7,"cmd":"hello"}')
    add('{"id":007,"cmd":"hello"}')
    add('{"id":1.5,"cmd":"hello"}')
    add('{"id":99999999999999999999,"cmd":"hello"}')
    add('{"id":-9223372036854775808,"cmd":"x"}')
    add('{"id":8,"cmd":"hello","a":[1]}')
    add('{"id":8,"cmd":"hello","a":{}}')
    add('{"id":9,"cmd":"hello","a":"\\x"}')
    add('{"id":9,"cmd":"hello","a":"\\ud800"}')
    add('{"id":9,"cmd":"hello","a":"\\udc00"}')
    add('{"id":9,"cmd":"hello","a":"\\u12"}')
    add('{"id":9,"cmd":"hello","a":"\\u12zz"}')
    add(b'{"id":9,"cmd":"hello","a":"\x01"}')
    add('{"id":9,"cmd":"hello","a":tru}')
    add('{"id":9,"cmd":"hello",}')
    add('{"id":9,"cmd":"hello"} x')
    add('{"id":9 "cmd":"hello"}')
    add('{id:9}')
    add('[1]')
    add('{}')
    add('{"id":null,"cmd":"hello"}')
    add('{"id":"1","cmd":"hello"}')
    add('{"id":10}')
    add('{"id":10,"cmd":null}')
    add('{"id":10,"cmd":5}')
    add('{"id":' + '1' * 30 + '}')
    add('{"id":11,"cmd":"socket"}')
    add('{"id":12,"cmd":"socket","family":"inet6"}')
    add('{"id":13,"cmd":"socket","family":"ipx"}')
    add('{"id":14,"cmd":"socket","family":null}')
    add('{"id":15,"cmd":"listen","sock":999}')
    add('{"id":16,"cmd":"listen","sock":"a"}')
    add('{"id":17,"cmd":"listen","addr":"192.0.2.2","port":5000,"backlog":true}')
    add('{"id":18,"cmd":"listen","addr":"zz","port":5000}')
    add('{"id":19,"cmd":"listen","addr":"192.0.2.2","port":70000}')
    add('{"id":20,"cmd":"setsockopt","sock":3,"name":"SO_BOGUS","value":1}')
    add('{"id":21,"cmd":"getsockopt","sock":3,"name":"TCP_NODELAY"}')
    add('{"id":22,"cmd":"send","sock":3,"data":"abc"}')
    add('{"id":23,"cmd":"recv","sock":3,"timeoutMs":0}')
    add('{"id":24,"cmd":"shutdown","sock":3,"how":"sideways"}')
    add('{"id":25,"cmd":"close","sock":12345}')
    add('{"id":26,"cmd":"abort"}')
    add('{"id":27,"cmd":"states"}')
    add('{"id":28,"cmd":"connect","addr":"2001:db8::1","port":5}')
    add('{"id":29,"cmd":"reset"}')
    add('{"id":30,"cmd":"hello","pad":"' + 'x' * 65600 + '"}')
    add('x' * 65536)
    add('x' * 65537)
    add('{"id":31,"cmd":"states"}' + ' ' * 65530)
    add('{"id":32,"cmd":"hello"}')
    return b"\n".join(L) + b"\n" + b'{"id":33,"cmd":"states"}'


def answers(agent, extra, work):
    path = os.path.join(work, "agent.sock")
    with open(os.path.join(work, os.path.basename(agent) + ".log"), "w") as log:
        p = subprocess.Popen(["unshare", "-n", "sh", "-c", SETUP, agent, "--control", path] + extra, stderr=log)
    try:
        for _ in range(200):
            if os.path.exists(path):
                break
            time.sleep(0.05)
        s = socket.socket(socket.AF_UNIX)
        s.connect(path)
        s.sendall(corpus())
        s.shutdown(socket.SHUT_WR)
        s.settimeout(20)
        out = b""
        while True:
            try:
                c = s.recv(65536)
            except socket.timeout:
                out += b"<<no answer within 20 s>>"
                break
            if not c:
                break
            out += c
        s.close()
        rc = p.wait(timeout=10)
        return out.decode("utf-8", "backslashreplace").splitlines() + ["<<exit %d>>" % rc]
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def main():
    if len(sys.argv) < 3:
        print("usage: agentdiff.py OLD_AGENT NEW_AGENT [extra agent args...]", file=sys.stderr)
        sys.exit(2)
    old, new, extra = sys.argv[1], sys.argv[2], sys.argv[3:]
    for a in (old, new):
        if not os.access(a, os.X_OK):
            print("agentdiff.py: %s is not an executable agent: build one with targets/NAME/build.sh OUTDIR" % a,
                  file=sys.stderr)
            sys.exit(2)
    work = tempfile.mkdtemp(prefix="tcpct-agentdiff.")
    try:
        a, b = answers(old, extra, work), answers(new, extra, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    diff = list(difflib.unified_diff(a, b, old, new, lineterm="", n=0))
    for line in diff:
        print(line)
    print("%d answers, %s" % (len(a) - 1, "all the same" if not diff else
                              "%d differ" % sum(1 for d in diff if d.startswith("-") and not d.startswith("---"))))
    sys.exit(1 if diff else 0)


if __name__ == "__main__":
    main()
