/**
 * TLS for Rampart listeners: SSL contexts, client-certificate identity and revocation checking.
 */
package io.rampart.tls;
