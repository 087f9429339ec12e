package io.rampart.admin.api;

import java.util.List;

/** Ends a request with a problem answer; the detail is shown to the caller. */
public final class ApiException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    private final int status;
    private final List<String> fields;
    private final transient String auditResult;

    public ApiException(int status, String detail) {
        this(status, detail, List.of(), null);
    }

    /**
     * @param fields      names the detail is about (unknown fields), listed in the problem document
     * @param auditResult what the audit log records ({@code denied} for a hidden out-of-scope object), or
     *                    {@code null} to derive it from the status
     */
    public ApiException(int status, String detail, List<String> fields, String auditResult) {
        super(detail, null, false, false);
        this.status = status;
        this.fields = List.copyOf(fields);
        this.auditResult = auditResult;
    }

    public int status() {
        return status;
    }

    public List<String> fields() {
        return fields;
    }

    public String auditResult() {
        return auditResult;
    }

    public static ApiException badRequest(String detail) {
        return new ApiException(400, detail);
    }

    /** 404 for a missing object, and for one outside the caller's scope (recorded as denied). */
    public static ApiException notFound(String detail, boolean outOfScope) {
        return new ApiException(404, detail, List.of(), outOfScope ? "denied" : null);
    }
}
