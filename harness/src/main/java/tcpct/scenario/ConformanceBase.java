package tcpct.scenario;

import com.fasterxml.jackson.databind.JsonNode;
import io.qameta.allure.Allure;
import io.qameta.allure.model.Label;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;
import org.testng.IHookCallBack;
import org.testng.IHookable;
import org.testng.ITestResult;
import org.testng.SkipException;
import tcpct.report.RunRecorder;
import tcpct.report.ScenarioResult;
import tcpct.state.Edge;
import tcpct.state.TcpState;

/**
 * The base of every scenario class. Around each scenario method it opens a {@link Session} (fresh ports,
 * a pcap of the connection), hands the method its {@link #target} and {@link #peer}, and afterwards turns
 * what happened into a verdict, attaches the pcap and the agent's log to the Allure result, resets the
 * target's sockets and records the scenario for summary.json.
 */
public abstract class ConformanceBase implements IHookable {

    private static final SecureRandom RANDOM = new SecureRandom();

    /** The stack under test, driven through its agent (acts on the scenario running on the calling thread). */
    protected final Target target = new Target();
    /** The remote TCP, played by the harness on the wire (likewise). */
    protected final Peer peer = new Peer();

    /** {@code assertThat(target).isIn(ESTABLISHED)}. */
    protected static TargetAssert assertThat(Target t) {
        return TargetAssert.assertThat(t);
    }

    /** Records a value the scenario measured (ms), for its result, summary.json and the report. */
    protected static void measure(String name, double ms) {
        Session.current().measure(name, ms, "");
    }

    /** The IP version the scenario runs over ({@code --ip}): its addresses, and MUST-15's default send MSS for it. */
    protected static tcpct.wire.IpFamily ipFamily() {
        return Session.current().family;
    }

    /** Whether the target's profile (target.json) claims an optional behaviour, e.g. "rfc5961". */
    protected static boolean targetClaims(String behaviour) {
        return Session.current().lab.instance().spec().claims(behaviour);
    }

    /** Notes a SHOULD deviation: the scenario goes on, and ends NON_STRICT unless something worse happens. */
    protected static void shouldViolation(String sentence) {
        Session.current().shouldViolation(sentence);
    }

    /** Shows {@code what} as a step of the scenario, e.g. which of the answers the RFC permits the target took. */
    protected static void note(String what) {
        Session.current().step(what, () -> { });
    }

    @Override
    public final void run(IHookCallBack callBack, ITestResult result) {
        ScenarioInfo info = ScenarioInfo.of(result.getMethod().getConstructorOrMethod().getMethod(), result.getParameters())
                .over(familyOf(result));
        LabPool pool = LabPool.current();
        Lab lab;
        try {
            lab = pool.acquire();
        } catch (RuntimeException e) {
            result.setThrowable(e);
            result.setStatus(ITestResult.FAILURE);
            RunRecorder.current().add(new ScenarioResult(info.id(), info.title(), Verdict.ERROR, List.of(), List.of(),
                    info.declaredEdges().stream().map(Edge::name).toList(), info.rfc(), "agent", 0, null,
                    "harness error: no target container: " + e.getMessage(), Map.of(), 0, List.of()));
            return;
        }
        try {
            runOn(lab, info, callBack, result, System.nanoTime());
        } finally {
            pool.release(lab);
        }
    }

    /** The TestNG test parameter naming the IP version a scenario runs over ({@code 4} or {@code 6}); IPv4 without it. */
    public static final String IP_PARAMETER = "tcpct.ip";

    static tcpct.wire.IpFamily familyOf(ITestResult result) {
        String ip = result.getTestContext() == null || result.getTestContext().getCurrentXmlTest() == null ? null
                : result.getTestContext().getCurrentXmlTest().getParameter(IP_PARAMETER);
        return "6".equals(ip) ? tcpct.wire.IpFamily.IPV6 : tcpct.wire.IpFamily.IPV4;
    }

    private void runOn(Lab lab, ScenarioInfo info, IHookCallBack callBack, ITestResult result, long acquiredNanos) {
        Session session = new Session(lab, info, RANDOM);
        label(info, lab);
        String pcapRel = "pcap/" + info.fileStem() + ".pcap";
        Path pcap = lab.outDir().resolve(pcapRel);
        int logStart = lab.instance().logLength();
        long t0 = System.nanoTime();
        try (AutoCloseable listening = lab.wire().listen(session::onFrame);
             AutoCloseable recording = lab.wire().record(pcap, session::ours)) {
            Session.enter(session);
            if (!lab.agentHas(session.family)) {
                JsonNode families = lab.hello().path("families");
                throw new Unimplemented("the target's agent has no " + session.family.agentName + " sockets (hello's families: "
                        + (families.isMissingNode() ? "none listed, so inet only" : families.toString()) + "): its stack or agent lacks "
                        + session.family);
            }
            callBack.runTestMethod(result);
        } catch (Exception e) {
            result.setThrowable(e);
            result.setStatus(ITestResult.FAILURE);
        } finally {
            Session.leave();
        }
        long durationMs = (System.nanoTime() - t0) / 1_000_000;
        Throwable thrown = unwrap(result.getThrowable());
        if (!lab.alive() && verdictOf(thrown) != Verdict.ERROR && !(thrown instanceof StackDied)) {
            // whatever the scenario concluded, its target broke under it: not the stack's verdict to give (unless the
            // scenario found the stack died from the hostile segment it sent: StackDied)
            // (an ERROR already says why, e.g. the agent's call that found it gone, with the same diagnosis)
            thrown = new LabLost(lab.instance().diagnosis());
            result.setThrowable(thrown);
            result.setStatus(ITestResult.FAILURE);
        }
        List<tcpct.report.InferredState> inferred = new java.util.ArrayList<>();
        List<Inference.Evidence> evidence = session.judgeInferences();
        for (int i = 0; i < evidence.size(); i++) {
            Inference.Evidence e = evidence.get(i);
            TcpState state = session.inferences.get(i).state();
            inferred.add(e.as(state));
            Allure.step(state + " inferred from the wire: " + e.how());
            if (e.contradicted() && (thrown == null || thrown instanceof NonStrictDeviation)) {
                thrown = new ConformanceFailure("expected target in " + state + " (which its agent cannot show), " + e.how());
            }
        }
        if (thrown == null && !session.shouldViolations.isEmpty()) {
            thrown = new NonStrictDeviation(String.join("; ", session.shouldViolations));
        }
        Leftovers left = resetTarget(lab, session);
        if (left != null && !left.held().isEmpty() && verdictOf(thrown) != Verdict.ERROR) {
            thrown = new IllegalStateException("reset left endpoints of this scenario that only an open socket keeps, expecting none, but was "
                    + left.held().stream().map(Leftovers::text).toList());
        }
        Verdict verdict = verdictOf(thrown);
        String failure = failureOf(verdict, thrown);
        if (thrown != null) {
            // IHookable hands back what reflection threw; TestNG, Allure and the verdict need the scenario's own exception.
            // (A deviation the target's baseline expects is marked in the Allure results after the run: AllureReport.markKnownDeviations.)
            result.setThrowable(thrown);
            result.setStatus(thrown instanceof SkipException ? ITestResult.SKIP : ITestResult.FAILURE);
        }
        attach(pcap, session.wireText(), lab.instance().logSince(logStart));
        List<String> learned = session.rfcTags().stream().filter(t -> !info.rfc().contains(t)).toList();
        Allure.getLifecycle().updateTestCase(tc -> learned.forEach(t -> tc.getLabels().add(new Label().setName("tag").setValue(t))));
        Allure.addAttachment("ladder.svg", "image/svg+xml", session.ladder(), "svg");
        RunRecorder.current().add(new ScenarioResult(info.id(), info.title(), verdict,
                session.observed.stream().map(TcpState::rfcName).toList(),
                session.observedEdges().stream().map(Edge::name).toList(),
                info.declaredEdges().stream().map(Edge::name).toList(), session.rfcTags(), probe(lab, inferred), durationMs,
                Files.exists(pcap) ? pcapRel : null, failure, java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(session.measurements)),
                session.protocolWaitNanos / 1_000_000, List.copyOf(inferred), left == null ? List.of() : left.describe(),
                (System.nanoTime() - acquiredNanos) / 1_000_000));
    }

    /**
     * summary.json's {@code probe}: how the scenario's states were known. The agent's own word, plus which
     * states were inferred from the wire because the agent cannot show them.
     */
    static String probe(Lab lab, List<tcpct.report.InferredState> inferred) {
        if (inferred.isEmpty()) {
            return lab.probe();
        }
        return lab.probe() + "; inferred from the wire: "
                + String.join(", ", inferred.stream().map(tcpct.report.InferredState::state).distinct().toList());
    }

    static Throwable unwrap(Throwable t) {
        while (t instanceof java.lang.reflect.InvocationTargetException && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    static Verdict verdictOf(Throwable t) {
        if (t == null) {
            return Verdict.PASSED;
        }
        if (t instanceof NonStrictDeviation) {
            return Verdict.NON_STRICT;
        }
        if (t instanceof AssertionError) {
            return Verdict.FAILED;
        }
        if (t instanceof Unimplemented) {
            return Verdict.UNIMPLEMENTED;
        }
        if (t instanceof SkipException) {
            return Verdict.SKIPPED;
        }
        return Verdict.ERROR;
    }

    static String failureOf(Verdict v, Throwable t) {
        if (t == null) {
            return null;
        }
        String msg = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
        String first = msg.lines().findFirst().orElse(msg);
        return v == Verdict.ERROR ? "harness error: " + first : first;
    }

    /** How long endpoints that {@code reset} aborted may take to leave the stack's table (a user-space stack may lag). */
    static final java.time.Duration RESET_SETTLE = java.time.Duration.ofSeconds(1);

    /**
     * Aborts whatever sockets the scenario left, so the next one starts clean, then asks {@code states}
     * which of this scenario's endpoints are still there ({@link Leftovers}); waits up to
     * {@link #RESET_SETTLE} for the ones only an open socket keeps to go. Returns null when the agent is
     * gone (or hangs): this scenario keeps its verdict and the lab is marked broken, so the pool starts a
     * fresh one and one stack that died does not take the rest of the run along.
     */
    private static Leftovers resetTarget(Lab lab, Session session) {
        java.util.Set<Integer> targetPorts = new java.util.HashSet<>();
        targetPorts.add(session.listenPort);
        if (session.targetPort != null) {
            targetPorts.add(session.targetPort);
        }
        try {
            lab.agent().call("reset", Map.of());
            Leftovers[] left = {Leftovers.of(lab.agent().states(), targetPorts, session.peerPort)};
            if (!left[0].held().isEmpty()) {
                try {
                    org.awaitility.Awaitility.await("endpoints aborted by reset leave the target").pollInSameThread().atMost(RESET_SETTLE)
                            .pollInterval(java.time.Duration.ofMillis(10)).until(() -> {
                                left[0] = Leftovers.of(lab.agent().states(), targetPorts, session.peerPort);
                                return left[0].held().isEmpty();
                            });
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    // left[0] holds what stayed; the caller reports it
                }
            }
            if (!left[0].none()) {
                Allure.step("after reset, still on the target: " + String.join(", ", left[0].describe()));
            }
            return left[0];
        } catch (RuntimeException e) {
            lab.markBroken(); // the pool replaces it
            return null;
        }
    }

    private static void label(ScenarioInfo info, Lab lab) {
        String group = info.id().contains("/") ? info.id().substring(0, info.id().indexOf('/')) : info.id();
        Allure.getLifecycle().updateTestCase(tc -> {
            tc.setName(info.id() + ": " + info.title());
            tc.getLabels().add(new Label().setName("feature").setValue(group));
            tc.getLabels().add(new Label().setName("story").setValue(info.id()));
            info.declaredEdges().forEach(e -> tc.getLabels().add(new Label().setName("tag").setValue(e.name())));
            info.rfc().forEach(r -> tc.getLabels().add(new Label().setName("tag").setValue(r)));
        });
        for (String section : info.sections()) {
            Allure.link("RFC 9293 section " + section, "https://www.rfc-editor.org/rfc/rfc9293#section-" + section);
        }
        for (String id : info.rfc()) {
            if (id.matches(tcpct.report.Requirements.ID_PATTERN)) {
                // the section that states it (the catalogue knows it), and the run's requirements page at its row
                String where = tcpct.report.Requirements.catalogue().byId(id).map(tcpct.report.Requirement::link)
                        .orElse("https://www.rfc-editor.org/rfc/rfc9293#appendix-B");
                Allure.link("RFC 9293 " + id, where);
                Allure.link(id + " in this run's requirements", "../" + tcpct.report.RequirementsPage.FILE + "#" + id);
            }
        }
        // the run's pictures lie beside report/: one click from every scenario
        Allure.link("this run's state diagram", "../" + tcpct.report.StateDiagram.FILE);
        if (info.id().startsWith("grid/")) {
            Allure.link("this run's state x segment grid", "../" + tcpct.report.GridTable.FILE);
        }
        Allure.parameter("target", lab.instance().spec().name());
        Allure.parameter("stack", lab.stack());
    }

    /**
     * The pcap, its frames as text (also written beside it, {@code pcap/<id>.txt}: the pcap decoded without
     * tshark), and the agent's log, one request and its answer per line.
     */
    private static void attach(Path pcap, String wireText, String agentLog) {
        if (Files.exists(pcap)) {
            try (InputStream in = Files.newInputStream(pcap)) {
                Allure.addAttachment("wire.pcap", "application/vnd.tcpdump.pcap", in, "pcap");
            } catch (IOException e) {
                Allure.addAttachment("wire.pcap (unreadable)", e.getMessage());
            }
            try {
                Files.writeString(pcap.resolveSibling(pcap.getFileName().toString().replaceFirst("\\.pcap$", ".txt")), wireText);
            } catch (IOException e) {
                Allure.addAttachment("wire.txt (not written beside the pcap)", e.getMessage());
            }
        }
        Allure.addAttachment("wire.txt", "text/plain", new java.io.ByteArrayInputStream(wireText.getBytes(StandardCharsets.UTF_8)), "txt");
        Allure.addAttachment("agent.log", "text/plain",
                new java.io.ByteArrayInputStream(tcpct.report.AgentLog.pretty(agentLog).getBytes(StandardCharsets.UTF_8)), "log");
    }
}
