package io.rampart.admin.auth;

import java.util.Locale;

/** How an admin caller proved who it is. */
public enum AuthMethod {
    /** HTTP Basic: user name and password through the admin pipeline. */
    BASIC,
    /** An API token ({@code Bearer rmp_...}). */
    TOKEN,
    /** A JWT bearer token through the admin pipeline's JWT manager. */
    JWT,
    /** The browser session cookie. */
    SESSION,
    /** A TLS client certificate through the admin pipeline's x509 manager. */
    X509,
    /** Single sign-on through the OpenID Connect provider of {@code admin.oidc} (the Control Center). */
    OIDC;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }
}
