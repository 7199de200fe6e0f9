package tcpct.scenario;

/** A scenario's outcome, as contracts.md defines them (after the Autobahn testsuite's verdicts). */
public enum Verdict {
    /** The target did what RFC 9293 and the diagram require. */
    PASSED,
    /** A MUST of RFC 9293, or the state diagram, was violated. */
    FAILED,
    /** Only a SHOULD was violated. */
    NON_STRICT,
    /** The target offers no way to drive this scenario (its agent answers ENOSYS, or the API lacks it). */
    UNIMPLEMENTED,
    /** The harness or the target broke: crash, agent gone, a harness timeout. Says nothing about conformance. */
    ERROR,
    /** Not run. */
    SKIPPED
}
