package tcpct.model;

/** How strongly the RFC text behind a prediction binds: a MUST violation is FAILED, a SHOULD one NON_STRICT. */
public enum Strength {
    MUST, SHOULD
}
