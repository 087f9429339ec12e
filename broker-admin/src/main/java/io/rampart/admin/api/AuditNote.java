package io.rampart.admin.api;

/**
 * What a handler tells the audit log about its call: the target, the change (before → after, never a secret
 * or a hash), whether it read sensitive data (payloads, addresses), and a note. The router writes the line.
 */
public final class AuditNote {

    private String actor;
    private String method;
    private String target;
    private String before;
    private String after;
    private String detail;
    private boolean sensitive;
    private boolean recorded;
    private boolean denied;

    /** Who acted, for calls without an authenticated caller (a login names the user it tried). */
    public AuditNote actor(String name, String how) {
        this.actor = name;
        this.method = how;
        return this;
    }

    public AuditNote target(String value) {
        this.target = value;
        return this;
    }

    public AuditNote change(String beforeJson, String afterJson) {
        this.before = beforeJson;
        this.after = afterJson;
        return this;
    }

    public AuditNote detail(String value) {
        this.detail = value;
        return this;
    }

    /** The answer carries payloads or client addresses: the read is audited. */
    public AuditNote sensitive() {
        this.sensitive = true;
        return this;
    }

    /** A read that changes state all the same (a sign-in through the identity provider): always audited. */
    public AuditNote recorded() {
        this.recorded = true;
        return this;
    }

    /** The call was refused although its answer is not an error status (a redirect back to the sign-in page). */
    public AuditNote denied() {
        this.denied = true;
        this.recorded = true;
        return this;
    }

    boolean isRecorded() {
        return recorded;
    }

    boolean isDenied() {
        return denied;
    }

    String actor() {
        return actor;
    }

    String method() {
        return method;
    }

    String target() {
        return target;
    }

    String before() {
        return before;
    }

    String after() {
        return after;
    }

    String detail() {
        return detail;
    }

    boolean isSensitive() {
        return sensitive;
    }
}
