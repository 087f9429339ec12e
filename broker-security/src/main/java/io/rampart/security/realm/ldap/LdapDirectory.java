package io.rampart.security.realm.ldap;

import com.unboundid.ldap.sdk.BindRequest;
import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.FailoverServerSet;
import com.unboundid.ldap.sdk.LDAPConnection;
import com.unboundid.ldap.sdk.LDAPConnectionOptions;
import com.unboundid.ldap.sdk.LDAPConnectionPool;
import com.unboundid.ldap.sdk.LDAPException;
import com.unboundid.ldap.sdk.LDAPInterface;
import com.unboundid.ldap.sdk.PostConnectProcessor;
import com.unboundid.ldap.sdk.ResultCode;
import com.unboundid.ldap.sdk.SimpleBindRequest;
import com.unboundid.ldap.sdk.StartTLSPostConnectProcessor;
import com.unboundid.util.ssl.HostNameSSLSocketVerifier;
import com.unboundid.util.ssl.SSLUtil;

import javax.net.SocketFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * The connections to the directory: a failover set of servers reached over {@code ldaps://} or {@code ldap://} +
 * StartTLS (server certificate checked against the configured trust and the host name), and two pools of at most
 * {@code pool-size} connections each: the <em>service</em> pool, bound as the service account (or anonymous), for
 * searches; and the <em>bind</em> pool, whose connections only ever carry user binds, so checking a password never
 * changes the identity of a service connection. Dead connections are replaced, so the realm recovers by itself
 * when a server comes back.
 */
final class LdapDirectory implements AutoCloseable {

    /** Result codes of a bind that mean "these credentials are not good", as opposed to "no answer". */
    private static final Set<ResultCode> CREDENTIAL_FAILURES = Set.of(ResultCode.INVALID_CREDENTIALS,
            ResultCode.INVALID_DN_SYNTAX, ResultCode.NO_SUCH_OBJECT, ResultCode.INAPPROPRIATE_AUTHENTICATION,
            ResultCode.UNWILLING_TO_PERFORM, ResultCode.INSUFFICIENT_ACCESS_RIGHTS);

    private final LDAPConnectionPool service;
    private final LDAPConnectionPool binds;

    LdapDirectory(LdapRealmSettings settings) throws LDAPException, GeneralSecurityException, IOException {
        LDAPConnectionOptions options = new LDAPConnectionOptions();
        options.setConnectTimeoutMillis((int) settings.connectTimeout().toMillis());
        options.setResponseTimeoutMillis(settings.responseTimeout().toMillis());
        options.setAbandonOnTimeout(true);
        options.setFollowReferrals(false);
        options.setUseSynchronousMode(true);
        PostConnectProcessor startTls = null;
        SocketFactory sockets = SocketFactory.getDefault();
        if (settings.usesTls()) {
            options.setSSLSocketVerifier(new HostNameSSLSocketVerifier(true));
            SSLContext tls = new SSLUtil(trustManagers(settings.trust())).createSSLContext();
            if (settings.ldaps()) {
                sockets = tls.getSocketFactory();
            } else {
                startTls = new StartTLSPostConnectProcessor(tls);
            }
        }
        List<URI> servers = settings.servers();
        String[] hosts = new String[servers.size()];
        int[] ports = new int[servers.size()];
        for (int i = 0; i < hosts.length; i++) {
            URI uri = servers.get(i);
            String host = uri.getHost();
            hosts[i] = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
            ports[i] = uri.getPort() > 0 ? uri.getPort() : settings.ldaps() ? 636 : 389;
        }
        FailoverServerSet serverSet = new FailoverServerSet(hosts, ports, sockets, options);
        BindRequest serviceBind = settings.bindDn() == null ? null
                : new SimpleBindRequest(settings.bindDn(), settings.bindPassword());
        int size = settings.poolSize();
        long maxWait = settings.responseTimeout().toMillis();
        LDAPConnectionPool servicePool = null;
        try {
            // No connection up front when the directory is down: the broker starts and refuses logins as
            // "server unavailable" until it answers.
            servicePool = new LDAPConnectionPool(serverSet, serviceBind, 1, size, 1, startTls, false);
            configure(servicePool, "rampart-ldap-" + settings.name() + "-service", maxWait);
            this.binds = new LDAPConnectionPool(serverSet, null, 0, size, 1, startTls, false);
            configure(binds, "rampart-ldap-" + settings.name() + "-bind", maxWait);
            this.service = servicePool;
        } catch (LDAPException | RuntimeException e) {
            if (servicePool != null) {
                servicePool.close();
            }
            throw e;
        }
    }

    private static void configure(LDAPConnectionPool pool, String name, long maxWaitMillis) {
        pool.setConnectionPoolName(name);
        pool.setCreateIfNecessary(true);
        pool.setMaxWaitTimeMillis(maxWaitMillis);
        pool.setRetryFailedOperationsDueToInvalidConnections(true);
    }

    /** Searches and reads as the service account (or anonymously). */
    LDAPInterface service() {
        return service;
    }

    /** What to do on a connection that was just bound as the user. */
    @FunctionalInterface
    interface AsUser<T> {
        T apply(LDAPConnection boundAsUser) throws LDAPException;
    }

    /**
     * Binds as {@code dn} with {@code password} on a connection of the bind pool and, when that succeeds, runs
     * {@code then} on the same connection (still bound as the user).
     *
     * @return {@code null} when the directory says the credentials are not good, else what {@code then} returned
     * @throws LDAPException when the directory could not answer
     */
    <T> T bind(DN dn, byte[] password, AsUser<T> then) throws LDAPException {
        LDAPConnection connection = binds.getConnection();
        boolean retried = false;
        while (true) {
            try {
                connection.bind(new SimpleBindRequest(dn, password));
                break;
            } catch (LDAPException e) {
                if (CREDENTIAL_FAILURES.contains(e.getResultCode())) {
                    binds.releaseConnection(connection);
                    return null;
                }
                if (ResultCode.isConnectionUsable(e.getResultCode())) {
                    binds.releaseConnection(connection);
                    throw e;
                }
                if (retried || e.getResultCode() != ResultCode.SERVER_DOWN) {
                    binds.releaseDefunctConnection(connection);
                    throw e;
                }
                // A pooled connection the server closed (e.g. it restarted): try once on a fresh one.
                retried = true;
                connection = binds.replaceDefunctConnection(connection);
            } catch (RuntimeException e) {
                binds.releaseDefunctConnection(connection);
                throw e;
            }
        }
        try {
            T result = then.apply(connection);
            binds.releaseConnection(connection);
            return result;
        } catch (LDAPException e) {
            if (ResultCode.isConnectionUsable(e.getResultCode())) {
                binds.releaseConnection(connection);
            } else {
                binds.releaseDefunctConnection(connection);
            }
            throw e;
        } catch (RuntimeException e) {
            binds.releaseDefunctConnection(connection);
            throw e;
        }
    }

    /** Whether a failed operation means the directory could not answer (as opposed to a definite "no"). */
    static boolean unreachable(LDAPException e) {
        ResultCode rc = e.getResultCode();
        return !ResultCode.isConnectionUsable(rc) || rc == ResultCode.UNAVAILABLE || rc == ResultCode.BUSY
                || rc == ResultCode.TIMEOUT || rc == ResultCode.TIME_LIMIT_EXCEEDED || rc == ResultCode.OTHER
                || ResultCode.isClientSideResultCode(rc);
    }

    private static javax.net.ssl.TrustManager[] trustManagers(LdapRealmSettings.Trust trust)
            throws GeneralSecurityException, IOException {
        TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        if (trust == null) {
            factory.init((KeyStore) null);
            return factory.getTrustManagers();
        }
        KeyStore store = KeyStore.getInstance("PKCS12");
        if (trust.type().equals("pkcs12")) {
            try (InputStream in = Files.newInputStream(trust.file())) {
                store.load(in, trust.password() == null ? null : trust.password().toCharArray());
            }
        } else {
            store.load(null, null);
            Collection<? extends Certificate> certificates;
            try (InputStream in = Files.newInputStream(trust.file())) {
                certificates = CertificateFactory.getInstance("X.509").generateCertificates(in);
            }
            if (certificates.isEmpty()) {
                throw new GeneralSecurityException(trust.file() + " holds no PEM certificate");
            }
            int i = 0;
            for (Certificate c : certificates) {
                store.setCertificateEntry("ca-" + i++, c);
            }
        }
        if (store.size() == 0) {
            throw new GeneralSecurityException(trust.file() + " holds no certificate");
        }
        factory.init(store);
        return factory.getTrustManagers();
    }

    @Override
    public void close() {
        service.close();
        binds.close();
    }
}
