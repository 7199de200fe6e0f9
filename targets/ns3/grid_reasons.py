#!/usr/bin/env python3
"""Writes the grid/ entries of targets/ns3/expected.json from observed runs, and only understood ones.

    python3 targets/ns3/grid_reasons.py RUN_OUT_DIR [RUN_OUT_DIR ...]

Each RUN_OUT_DIR is the --out folder of a `./tcpct run --target ns3` that included the grid. A grid
cell's deviation is written only when every run gave it the same verdict AND what the target did
there (the replies and the state in the failure sentence) is what ns-3 3.37's TcpSocketBase does for
that cell according to the rules below, each taken from ns-3's source (tcp-socket-base.cc,
tcp-l4-protocol.cc, tcp-rx-buffer.cc). A cell that deviates in a way no rule explains is printed and
left out, so the run keeps flagging it. Entries outside grid/ are kept as they are.
"""
import json
import os
import re
import sys

NONE = r"no reply"
RST = r"\[RST seq \d+\]"
ACK = r"\[ACK seq \d+ ack \d+\]"
GONE = r"(LISTEN|CLOSED)"  # a passive connection that ns-3 deleted: the harness sees the listener or nothing

# Where the RFC is read, the model expects: sequence acceptability (3.10.7.4 first) for every segment,
# RST and SYN rules per RFC 793 (the profile claims no RFC 5961).
SEQ_ONLY_DATA = ("ns-3 checks SEQ only on segments that carry text (TcpSocketBase::IsValidTcpSegment, "
                 "OutOfRange); an empty segment outside the window gets no <SEQ=SND.NXT><ACK=RCV.NXT><CTL=ACK>")


def rule(row, col, seqv, ackv):
    """(regex for 'REPLIES, then STATE', reason) of what ns-3 does in this cell, or None."""
    left_right = seqv in ("left-of-window", "right-of-window")
    sync_wait = row in ("FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT")

    if row == "CLOSED":
        return (r"FIXTURE-RST", "the CLOSED row is reached by ABORT; ns-3's abort (TcpSocketBase::SendRST) sends "
                "<SEQ=SND.NXT><CTL=RST> without ACK, as RFC 9293 3.10.5 says, and the row's fixture insists on RST,ACK")
    if row == "no-socket" and col == "SYN-FIN":
        return (r"\[RST,ACK seq 0 ack 1\], then CLOSED", "with no endpoint TcpL4Protocol::NoEndPointsFound answers "
                "<SEQ=0><ACK=SEG.SEQ+1><CTL=RST,ACK>: it counts the SYN but not the FIN of SEG.LEN")
    if row == "LISTEN":
        if col in ("ACK", "FIN-ACK", "SYN-ACK"):
            return (NONE + r", then LISTEN", "TcpSocketBase::ProcessListen acts on a bare SYN only and drops "
                    "everything else, so an ACK in LISTEN gets no <SEQ=SEG.ACK><CTL=RST>")
        if col == "SYN-FIN":
            return (NONE + r", then CLOSED", "TcpSocketBase::ProcessListen forks a connection only for a segment "
                    "whose flags are exactly SYN; a SYN with FIN is dropped: no SYN,ACK, no SYN-RECEIVED")
    if row == "SYN-SENT":
        if col in ("ACK", "FIN-ACK") and ackv in ("old-ack", "future-ack"):
            return (NONE + r", then SYN-SENT", "TcpSocketBase::ProcessSynSent ignores every segment with ACK and "
                    "without SYN, so an unacceptable ACK gets no <SEQ=SEG.ACK><CTL=RST>")
        if col == "RST-ACK" and ackv == "acceptable-ack":
            return (NONE + r", then SYN-SENT", "TcpSocketBase::ProcessSynSent tests 'ACK and not SYN' (ignore) "
                    "before it looks at RST, so a RST,ACK acknowledging the SYN is ignored: no CLOSED, the "
                    "connection refusal is missed and the SYN is retransmitted")
        if col == "RST":
            return (NONE + r", then CLOSED", "TcpSocketBase::ProcessSynSent closes on any RST without checking "
                    "that an ACK acknowledges its SYN (a RST without ACK must be dropped in SYN-SENT)")
        if col == "FIN":
            return (RST + r", then CLOSED", "TcpSocketBase::ProcessSynSent treats a FIN without ACK as illegal "
                    "flags: it sends RST and closes instead of dropping the segment")
        if col == "SYN-ACK" and ackv in ("old-ack", "future-ack"):
            return (RST + r", then CLOSED", "TcpSocketBase::ProcessSynSent answers a SYN,ACK with an unacceptable "
                    "ACK with its own RST <SEQ=SND.NXT> (SendRST) and closes, instead of <SEQ=SEG.ACK><CTL=RST> "
                    "staying in SYN-SENT")
    if row == "SYN-RECEIVED":
        if col == "ACK" and ackv == "acceptable-ack" and left_right:
            return (NONE + r", then ESTABLISHED", "TcpSocketBase::ProcessSynRcvd completes the handshake on any "
                    "ACK of its SYN whatever the SEQ (" + SEQ_ONLY_DATA + ")")
        if col == "ACK" and ackv in ("old-ack", "future-ack"):
            return (RST + r", then " + GONE, "TcpSocketBase::ProcessSynRcvd treats an ACK that does not acknowledge "
                    "its SYN as illegal: it sends its own RST <SEQ=SND.NXT> (SendRST) and deletes the connection, "
                    "instead of <SEQ=SEG.ACK><CTL=RST> staying in SYN-RECEIVED")
        if col == "SYN":
            return (NONE + r", then SYN-RECEIVED", "TcpSocketBase::ProcessSynRcvd answers a SYN ('the peer lost my "
                    "SYN+ACK') by sending its SYN,ACK again, which the harness counts as a retransmission; it stays "
                    "in SYN-RECEIVED instead of returning to LISTEN (or ACKing an out-of-window SYN)")
        if col == "FIN-ACK" and seqv == "exact" and ackv in ("old-ack", "future-ack"):
            return (ACK + r", then CLOSE-WAIT", "TcpSocketBase::ProcessSynRcvd takes a FIN,ACK at RCV.NXT as "
                    "completing the handshake without checking its ACK field, then processes the FIN: CLOSE-WAIT")
        if col == "FIN-ACK" and seqv != "exact":
            return (NONE + r", then SYN-RECEIVED", "TcpSocketBase::ProcessSynRcvd acts on a FIN,ACK only at "
                    "RCV.NXT and silently drops it elsewhere: no ACK for it (" + SEQ_ONLY_DATA + ")")
        if col in ("FIN", "SYN-ACK", "SYN-FIN", "RST-ACK"):
            return (RST + r", then " + GONE, "TcpSocketBase::ProcessSynRcvd treats " + col.replace("-", ",") +
                    " as illegal flags whatever its SEQ: it sends its own RST (SendRST) and deletes the connection")
        if col == "RST" and left_right:
            return (NONE + r", then " + GONE, "TcpSocketBase::ProcessSynRcvd deletes the connection on any RST "
                    "without checking its SEQ against the window")
    if row == "TIME-WAIT":
        return (NONE + r", then TIME-WAIT", "in TIME-WAIT TcpSocketBase::DoForwardUp does nothing with any "
                "segment: no ACK of a FIN or of an unacceptable segment, RST and SYN ignored (as RFC 1337 "
                "advises for RST), until 2*MSL ends it")
    if row in ("ESTABLISHED", "FIN-WAIT-1", "FIN-WAIT-2", "CLOSE-WAIT"):
        fn = "ProcessEstablished" if row == "ESTABLISHED" else "ProcessWait"
        if col == "RST-ACK":
            return (RST + r", then CLOSED", "TcpSocketBase::" + fn + " accepts only a bare RST as a reset: a RST "
                    "with ACK counts as illegal flags, so ns-3 sends a RST of its own (SendRST) and closes, for "
                    "any SEQ")
        if col == "RST" and left_right:
            return (NONE + r", then CLOSED", "TcpSocketBase::" + fn + " closes on any RST without checking its "
                    "SEQ against the window")
        if col in ("SYN", "SYN-ACK"):
            return (NONE + r", then " + row, "TcpSocketBase::" + fn + " ignores a SYN or SYN,ACK in a synchronized "
                    "state (a 'duplicate'): no RST and CLOSED (RFC 793) for one in the window, no ACK for one "
                    "outside it")
        if col == "SYN-FIN" and left_right:
            return (RST + r", then CLOSED", "TcpSocketBase::" + fn + " treats SYN with FIN as illegal flags "
                    "whatever its SEQ: RST (SendRST) and CLOSED, where an out-of-window segment should only be ACKed")
        if col == "ACK" and left_right:
            nxt = "FIN-WAIT-(1|2)" if row == "FIN-WAIT-1" else row
            return (NONE + r", then " + nxt, SEQ_ONLY_DATA + "; its ACK field is processed as if the segment "
                    "were acceptable" + (" (an ACK of the FIN moves FIN-WAIT-1 to FIN-WAIT-2)" if row == "FIN-WAIT-1" else ""))
        if col == "ACK" and ackv == "future-ack" and sync_wait:
            return (NONE + r", then " + row, "TcpSocketBase::ProcessWait hands every ACK to ReceivedAck, which "
                    "has no SEG.ACK > SND.NXT test: an ACK of data never sent is taken silently instead of being "
                    "answered by an ACK and dropped")
        if row == "ESTABLISHED" and col in ("FIN", "FIN-ACK"):
            if col == "FIN" and seqv == "exact":
                return (ACK + r", then CLOSE-WAIT", "TcpSocketBase::ProcessEstablished hands a FIN without ACK to "
                        "PeerClose: the segment is processed (CLOSE-WAIT) instead of dropped for lacking ACK")
            if col == "FIN-ACK" and seqv == "exact" and ackv == "future-ack":
                return (ACK + r", then CLOSE-WAIT", "TcpSocketBase::ProcessEstablished hands a FIN,ACK to PeerClose "
                        "without looking at its ACK field: an ACK of data never sent does not stop the FIN (CLOSE-WAIT)")
            if seqv != "exact":
                return (NONE + r", then ESTABLISHED", "TcpSocketBase::PeerClose drops a FIN outside the window "
                        "silently and only records one beyond RCV.NXT, with no ACK in either case (and, for a "
                        "FIN,ACK, the ACK field is never looked at)")
        if sync_wait and row != "CLOSE-WAIT" and col in ("FIN", "FIN-ACK"):
            fw = row
            if seqv == "exact" and col == "FIN":
                return (ACK + r", then (CLOSING|TIME-WAIT)", "TcpSocketBase::ProcessWait processes a FIN without "
                        "ACK (TcpRxBuffer::SetFinSequence, then " + ("CLOSING" if fw == "FIN-WAIT-1" else "TIME-WAIT") +
                        " and an ACK) instead of dropping the segment for lacking ACK")
            if seqv == "exact" and ackv == "future-ack":
                return (ACK + r", then (CLOSING|TIME-WAIT)", "TcpSocketBase::ProcessWait hands the ACK field to "
                        "ReceivedAck, which takes an ACK of data never sent (SND.NXT moves up to it, see the ACK's "
                        "SEQ), then processes the FIN")
            if seqv == "left-of-window":
                return (ACK + r", then (CLOSING|TIME-WAIT)", "TcpSocketBase::ProcessWait passes a FIN below RCV.NXT "
                        "to TcpRxBuffer::SetFinSequence, after which Finished() holds: ns-3 believes the FIN "
                        "arrived and moves on (CLOSING or TIME-WAIT) with an ACK of the old RCV.NXT")
            if seqv in ("in-window", "right-of-window"):
                return (NONE + r", then " + fw, "TcpSocketBase::ProcessWait records a FIN beyond RCV.NXT "
                        "(SetFinSequence) but sends nothing: no ACK for the out-of-order or out-of-window segment")
        if row == "CLOSE-WAIT" and col in ("FIN", "FIN-ACK"):
            return (NONE + r", then CLOSE-WAIT", "in CLOSE-WAIT TcpSocketBase::ProcessWait only records another FIN "
                    "(SetFinSequence) and sends nothing: no ACK for a repeated FIN, an out-of-window one, or an ACK "
                    "of data never sent")
    if row == "CLOSING":
        if col == "ACK" and seqv == "exact":
            return (NONE + r", then TIME-WAIT", "TcpSocketBase::ProcessClosing moves to TIME-WAIT on any ACK whose "
                    "SEQ is RCV.NXT without looking at its ACK field, so an old or future ACK is taken as the ACK of "
                    "its FIN")
        if col == "ACK" and seqv == "in-window":
            return (NONE + r", then CLOSING", "TcpSocketBase::ProcessClosing acts on an ACK only when its SEQ is "
                    "exactly RCV.NXT; elsewhere in the window it is ignored: no TIME-WAIT for the ACK of the FIN, "
                    "no ACK for an ACK of data never sent")
        if col == "ACK" and left_right:
            return (NONE + r", then CLOSING", SEQ_ONLY_DATA + " (ProcessClosing ignores it)")
        if col in ("FIN", "FIN-ACK"):
            return (ACK + r", then CLOSED", "TcpSocketBase::ProcessClosing answers any FIN in CLOSING with an ACK "
                    "and closes at once ('we can close immediately'), whatever its SEQ and ACK: no TIME-WAIT")
        if col == "RST-ACK":
            return (RST + r", then CLOSED", "TcpSocketBase::ProcessClosing accepts only a bare RST: a RST with ACK "
                    "counts as illegal flags, so ns-3 sends a RST of its own (SendRST) and closes, for any SEQ")
        if col == "RST" and left_right:
            return (NONE + r", then CLOSED", "TcpSocketBase::ProcessClosing closes on any RST without checking "
                    "its SEQ against the window")
        if col in ("SYN", "SYN-ACK", "SYN-FIN") and left_right:
            return (RST + r", then CLOSED", "TcpSocketBase::ProcessClosing answers anything but ACK, FIN and RST "
                    "with RST (SendRST) and closes, whatever the SEQ, where an out-of-window segment should only be ACKed")
    if row == "LAST-ACK":
        if col == "ACK" and seqv == "exact":
            return (NONE + r", then CLOSED", "TcpSocketBase::ProcessLastAck closes on any ACK whose SEQ is RCV.NXT "
                    "without looking at its ACK field, so an old or future ACK is taken as the ACK of its FIN")
        if col == "ACK" and seqv == "in-window":
            return (NONE + r", then LAST-ACK", "TcpSocketBase::ProcessLastAck acts on an ACK only when its SEQ is "
                    "exactly RCV.NXT; elsewhere in the window it is ignored: no CLOSED for the ACK of the FIN, no "
                    "ACK for an ACK of data never sent")
        if col == "ACK" and left_right:
            return (NONE + r", then LAST-ACK", SEQ_ONLY_DATA + " (ProcessLastAck ignores it)")
        if col == "FIN-ACK":
            return (NONE + r", then CLOSED", "TcpSocketBase::ProcessLastAck closes on any FIN,ACK, whatever its "
                    "SEQ and ACK, with no ACK for it")
        if col == "FIN" and left_right:
            return (NONE + r", then LAST-ACK", "TcpSocketBase::ProcessLastAck answers any FIN without ACK by "
                    "sending its FIN,ACK again (which the harness counts as a retransmission), not the ACK an "
                    "out-of-window segment gets")
        if col == "RST-ACK":
            return (RST + r", then CLOSED", "TcpSocketBase::ProcessLastAck accepts only a bare RST or a FIN,ACK: "
                    "a RST with ACK counts as illegal flags, so ns-3 sends a RST of its own (SendRST) and closes")
        if col == "RST" and left_right:
            return (NONE + r", then CLOSED", "TcpSocketBase::ProcessLastAck closes on any RST without checking its "
                    "SEQ against the window")
        if col in ("SYN", "SYN-ACK", "SYN-FIN") and left_right:
            return (RST + r", then CLOSED", "TcpSocketBase::ProcessLastAck answers a segment with SYN by RST "
                    "(SendRST) and closes, whatever the SEQ, where an out-of-window segment should only be ACKed")
    return None


def observed(failure):
    if failure.startswith("expected RST,ACK seq 1 ack 1 from target after abort, saw RST seq 1"):
        return "FIXTURE-RST"
    m = re.search(r", saw (.*)$", failure or "")
    return m.group(1) if m else None


def main(argv):
    if len(argv) < 2:
        print(__doc__)
        return 2
    here = os.path.dirname(os.path.abspath(__file__))
    runs = [json.load(open(os.path.join(d, "summary.json"))) for d in argv[1:]]
    by_id = {}
    for r in runs:
        for sc in r["scenarios"]:
            by_id.setdefault(sc["id"], []).append(sc)
    expected_path = os.path.join(here, "expected.json")
    doc = json.load(open(expected_path))
    kept = {k: v for k, v in doc["scenarios"].items() if not k.startswith("grid/")}
    grid = {}
    problems = 0
    for cid in sorted(by_id):
        if not cid.startswith("grid/"):
            continue
        seen = by_id[cid]
        verdicts = {s["verdict"] for s in seen}
        if len(seen) != len(runs) or len(verdicts) != 1:
            print(f"UNSTABLE {cid}: {[s['verdict'] for s in seen]}")
            problems += 1
            continue
        verdict = verdicts.pop()
        if verdict == "PASSED":
            continue
        _, row, col, var = cid.split("/")
        seqv, _, ackv = var.partition(".")
        r = rule(row, col, seqv, ackv)
        obs = [observed(s.get("failure") or "") for s in seen]
        if r is None or not all(o is not None and re.fullmatch(r[0], o) for o in obs):
            print(f"UNEXPLAINED {cid} {verdict}: saw {obs[0]!r}; rule {r[0] if r else None!r}")
            problems += 1
            continue
        grid[cid] = {"verdict": verdict, "reason": r[1]}
    doc["scenarios"] = {**kept, **grid}
    with open(expected_path, "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=True)
        f.write("\n")
    print(f"{len(grid)} grid entries written, {problems} cells left out")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
