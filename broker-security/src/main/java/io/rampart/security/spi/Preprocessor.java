package io.rampart.security.spi;

/**
 * Derives identity variables before the authentication managers run (copy, regex extract, split/concat,
 * set a constant). Runs in memory and must be cheap; it may not see the password.
 */
public interface Preprocessor {

    void apply(IdentityVariables variables);
}
