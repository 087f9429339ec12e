package io.rampart.cluster.tls;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLSession;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The cluster's trust check, in both directions: a node connecting to this one, and a node this one connects to, must
 * present a certificate the cluster's trust vouches for. A refusal is logged for the operator (once a minute per
 * certificate subject and direction: refused nodes retry every few seconds).
 */
final class NodeTrustManager extends X509ExtendedTrustManager {

    private static final Logger LOG = LogManager.getLogger("rampart.cluster");
    private static final long LOG_INTERVAL_NANOS = 60_000_000_000L;
    private static final int MAX_REMEMBERED = 1_000;

    private final X509ExtendedTrustManager delegate;
    private final TlsStats stats;
    private final ConcurrentHashMap<String, Long> lastLogged = new ConcurrentHashMap<>();

    NodeTrustManager(X509ExtendedTrustManager delegate, TlsStats stats) {
        this.delegate = delegate;
        this.stats = stats;
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            refused("a node connecting from " + peer(socket), chain, e);
            throw e;
        }
        accepted(socket, chain);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType, socket);
        } catch (CertificateException e) {
            refused("the node at " + peer(socket), chain, e);
            throw e;
        }
        accepted(socket, chain);
    }

    private void accepted(Socket socket, X509Certificate[] chain) {
        SSLSession session = socket instanceof SSLSocket ssl ? ssl.getHandshakeSession() : null;
        stats.accepted(peer(socket), session == null ? "unknown" : session.getProtocol(),
                session == null ? "unknown" : session.getCipherSuite(), chain[0].getSubjectX500Principal().getName());
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            refused("a node connecting from " + engine.getPeerHost(), chain, e);
            throw e;
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType, engine);
        } catch (CertificateException e) {
            refused("the node at " + engine.getPeerHost(), chain, e);
            throw e;
        }
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkClientTrusted(chain, authType);
        } catch (CertificateException e) {
            refused("a connecting node", chain, e);
            throw e;
        }
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        try {
            delegate.checkServerTrusted(chain, authType);
        } catch (CertificateException e) {
            refused("a node", chain, e);
            throw e;
        }
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return delegate.getAcceptedIssuers();
    }

    private void refused(String who, X509Certificate[] chain, CertificateException e) {
        stats.refused();
        String subject = chain == null || chain.length == 0 ? "none" : chain[0].getSubjectX500Principal().getName();
        String key = who.startsWith("a node connecting") ? "in " + subject : "out " + subject;
        long now = System.nanoTime();
        Long last = lastLogged.get(key);
        if (last != null && now - last < LOG_INTERVAL_NANOS) {
            return;
        }
        if (lastLogged.size() >= MAX_REMEMBERED) {
            lastLogged.clear();
        }
        lastLogged.put(key, now);
        LOG.error("cluster: refused {}: its certificate ({}) is not vouched for by cluster.tls.trust ({});"
                + " it cannot join", who, subject, e.getMessage());
    }

    private static String peer(Socket socket) {
        return socket == null || socket.getRemoteSocketAddress() == null ? "unknown"
                : socket.getRemoteSocketAddress().toString();
    }
}
