package io.rampart.security.permission;

/** Whether a matching permission grants or forbids. Deny always wins over allow. */
public enum Effect {
    ALLOW, DENY
}
