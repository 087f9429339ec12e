package io.rampart.tls;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelHandler;
import io.netty.handler.ssl.ReferenceCountedOpenSslEngine;
import io.netty.handler.ssl.SniHandler;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.util.DomainWildcardMappingBuilder;
import io.netty.util.Mapping;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.rampart.tls.revocation.OcspStapler;
import io.rampart.tls.revocation.RevocationChecker;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.WeakHashMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSession;

/**
 * The TLS side of one listener: the server contexts (default certificate plus SNI certificates) built from
 * {@link TlsSettings}, swapped atomically when a watched file changes, and a per-channel handler that picks
 * the context by the requested host name.
 *
 * <p>When client certificates are requested, the handshake's tasks (certificate validation and revocation
 * checks, which may fetch CRLs or ask OCSP responders) run on this listener's own bounded executor
 * ({@code rampart-tls-<listener>}), never on an event loop.
 */
public final class ServerTls implements AutoCloseable {

    private static final Logger LOG = LogManager.getLogger(ServerTls.class);
    private static final int TASK_THREADS = 16;
    private static final int TASK_QUEUE = 4096;
    private static final int RELEASE_DELAY_SECONDS = 30;

    /** Refusals the trust manager raised, by engine, for the handshake handler to report. */
    private static final Map<SSLEngine, TlsRejection> REJECTIONS = Collections.synchronizedMap(new WeakHashMap<>());

    private final String listener;
    private final TlsSettings settings;
    private final SslProvider provider;
    private final TlsObserver observer;
    private final RevocationChecker.Shared revocationShared;
    private final ThreadPoolExecutor tasks;
    private final AtomicReference<Contexts> current = new AtomicReference<>();
    /** Replaced generations waiting for their delayed release (released at once when the listener closes). */
    private final java.util.Set<Contexts> retired = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final OcspStapler stapler;
    private final Map<X509Certificate, X509Certificate[]> stapleChains = new java.util.concurrent.ConcurrentHashMap<>();
    private volatile byte[] digest;
    private volatile byte[] failedDigest;
    private ScheduledFuture<?> watch;
    private ScheduledFuture<?> ticketRotation;
    private ScheduledExecutorService timers;
    /** The listener's session ticket keys (OpenSSL with session tickets), shared by all its contexts. */
    private final TicketKeys ticketKeys;
    /** Warnings about the material already given, so a reload does not repeat them. */
    private final java.util.Set<String> warned = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /**
     * The contexts of one generation: the default and those chosen by host name, and the trust manager that
     * checks client certificates ({@code null} without client authentication).
     */
    private record Contexts(SslContext defaultContext, Mapping<String, SslContext> byHost, X509Certificate defaultCert,
                            List<SslContext> all, Map<SslContext, X509Certificate> leaves, CheckingTrustManager trust) {
        SslContext map(String host) {
            return host == null ? defaultContext : byHost.map(host);
        }

        /** Gives up this generation's references; engines still using a context keep it alive. */
        void release() {
            for (SslContext c : all) {
                ReferenceCountUtil.release(c);
            }
        }
    }

    private ServerTls(String listener, TlsSettings settings, TlsObserver observer) {
        this.listener = listener;
        this.settings = settings;
        this.provider = TlsContexts.provider(settings.provider());
        this.observer = observer;
        this.revocationShared = settings.revocation().mode() == RevocationSettings.Mode.NONE ? null
                : new RevocationChecker.Shared(settings.revocation());
        this.stapler = settings.ocspStapling() ? new OcspStapler(listener, settings.revocation().timeout()) : null;
        this.ticketKeys = settings.sessionTickets() && provider != SslProvider.JDK ? new TicketKeys() : null;
        if (settings.clientAuth() != TlsSettings.ClientAuthMode.NONE) {
            tasks = new ThreadPoolExecutor(TASK_THREADS, TASK_THREADS, 60, TimeUnit.SECONDS,
                    new ArrayBlockingQueue<>(TASK_QUEUE), new DefaultThreadFactory("rampart-tls-" + listener, true));
            tasks.allowCoreThreadTimeOut(true);
        } else {
            tasks = null;
        }
    }

    /**
     * Builds the contexts and starts watching the files.
     *
     * @param timers   runs the file watch (every {@link TlsSettings#reloadInterval()})
     * @param observer receives handshake and revocation results
     * @throws TlsConfigException when the material cannot be used (the listener must not start)
     */
    public static ServerTls open(String listener, TlsSettings settings, ScheduledExecutorService timers,
                                 TlsObserver observer) throws TlsConfigException {
        try {
            TlsContexts.validate(settings);
        } catch (IllegalArgumentException e) {
            throw new TlsConfigException(e.getMessage(), e);
        }
        ServerTls tls = new ServerTls(listener, settings, observer == null ? TlsObserver.NOOP : observer);
        try {
            tls.digest = tls.digestFiles();
            tls.current.set(tls.build());
        } catch (TlsConfigException e) {
            tls.close();
            throw e;
        }
        Contexts c = tls.current.get();
        LOG.info("listener '{}': TLS via {}, protocols {}, client certificates {}, revocation {}, certificate {}"
                        + " (SHA-256 {}){}", listener, TlsContexts.providerName(tls.provider), settings.protocols(),
                TlsContexts.lower(settings.clientAuth()), TlsContexts.lower(settings.revocation().mode()),
                c.defaultCert().getSubjectX500Principal().getName(), ClientCertificates.fingerprint(c.defaultCert()),
                settings.sni().isEmpty() ? "" : ", " + settings.sni().size() + " SNI certificate(s)");
        long every = settings.reloadInterval().toMillis();
        tls.timers = timers;
        if (every > 0 && timers != null) {
            tls.watch = timers.scheduleWithFixedDelay(tls::poll, every, every, TimeUnit.MILLISECONDS);
        }
        if (tls.ticketKeys != null && timers != null) {
            long lifetime = settings.sessionLifetime().toMillis();
            tls.ticketRotation = timers.scheduleAtFixedRate(tls::rotateTicketKeys, lifetime, lifetime,
                    TimeUnit.MILLISECONDS);
        }
        return tls;
    }

    private Contexts build() throws TlsConfigException {
        CheckingTrustManager trust = null;
        if (settings.clientAuth() != TlsSettings.ClientAuthMode.NONE) {
            TlsSettings.TrustMaterial t = settings.trust();
            List<X509Certificate> trusted;
            try {
                trusted = t.certificates() != null ? KeyMaterials.certificates(t.certificates())
                        : KeyMaterials.pkcs12Certificates(t.keystore(), t.keystorePassword());
            } catch (TlsConfigException e) {
                throw e.under(t.certificates() != null ? "trust.certificates" : "trust");
            }
            if (trusted.isEmpty()) {
                throw new TlsConfigException("trust", t.file() + ": contains no certificate", null);
            }
            RevocationChecker revocation;
            try {
                revocation = RevocationChecker.create(settings.revocation(), revocationShared, observer);
            } catch (TlsConfigException e) {
                throw e.under("revocation.crl-files");
            }
            try {
                trust = new CheckingTrustManager(trusted, revocation, settings.sessionLifetime().toSeconds());
            } catch (Exception e) {
                throw new TlsConfigException(t.file() + ": cannot be used as trust material (" + e.getMessage() + ")", e);
            }
        }
        KeyMaterials.Loaded main = KeyMaterials.load(settings.keyMaterial());
        checkSuitesFit(main, settings.keyMaterial());
        List<SslContext> all = new ArrayList<>();
        Map<SslContext, X509Certificate> leaves = new java.util.IdentityHashMap<>();
        try {
            checkStapling(main, settings.keyMaterial());
            SslContext defaultContext = TlsContexts.build(settings, provider, main, trust);
            all.add(defaultContext);
            leaves.put(defaultContext, main.chain()[0]);
            DomainWildcardMappingBuilder<SslContext> mapping = new DomainWildcardMappingBuilder<>(defaultContext);
            for (int i = 0; i < settings.sni().size(); i++) {
                TlsSettings.SniCertificate sni = settings.sni().get(i);
                KeyMaterials.Loaded loaded;
                try {
                    loaded = KeyMaterials.load(sni.keyMaterial());
                } catch (TlsConfigException e) {
                    throw e.under("sni[" + i + "]");
                }
                checkSuitesFit(loaded, sni.keyMaterial());
                checkStapling(loaded, sni.keyMaterial());
                SslContext ctx = TlsContexts.build(settings, provider, loaded, trust);
                all.add(ctx);
                leaves.put(ctx, loaded.chain()[0]);
                for (String host : sni.hostNames()) {
                    mapping.add(host, ctx);
                }
            }
            if (stapler != null) {
                for (SslContext c : all) {
                    X509Certificate leaf = leaves.get(c);
                    stapler.track(stapleChains.get(leaf));
                }
                stapler.retainOnly(leaves.values());
            }
            if (ticketKeys != null) {
                ticketKeys.applyTo(all);
            }
            return new Contexts(defaultContext, mapping.build(), main.chain()[0], List.copyOf(all), leaves, trust);
        } catch (TlsConfigException | RuntimeException e) {
            all.forEach(ReferenceCountUtil::release);
            throw e;
        }
    }

    /**
     * TLS 1.2 suites that need another kind of key than this certificate's: refused on the OpenSSL provider (they
     * break its handshakes); on the JDK named in a warning (once), and refused when none of the listed suites fits
     * and TLS 1.3 is off, so no client could connect.
     */
    private void checkSuitesFit(KeyMaterials.Loaded loaded, TlsSettings.KeyMaterial source) throws TlsConfigException {
        List<String> unfit = TlsContexts.suitesNotFitting(settings, loaded.key());
        if (unfit.isEmpty()) {
            return;
        }
        String type = TlsContexts.keyType(loaded.key());
        String other = "EC".equals(type) ? "an RSA" : "an EC (ECDSA)";
        String what = "the " + type + " key of " + loaded.chain()[0].getSubjectX500Principal().getName() + " ("
                + (source.keystore() != null ? source.keystore() : source.privateKey()) + ")";
        if (provider != SslProvider.JDK) {
            // Observed with netty-tcnative's BoringSSL: such a list makes every handshake of the listener fail with
            // internal_error, TLS 1.3 ones included, whatever the client offers.
            throw new TlsConfigException("cipher-suites", "cipher-suites " + unfit + " cannot be used with " + what
                    + ": they need " + other + " key, and with the OpenSSL provider listing them makes every handshake"
                    + " fail; remove them (or use a certificate with " + other + " key for them)", null);
        }
        if (unfit.size() == settings.cipherSuites().size()) {
            if (!settings.protocols().contains("TLSv1.3")) {
                throw new TlsConfigException("cipher-suites", "none of the listed TLS 1.2 suites works with " + what
                        + ": " + unfit + " need " + other + " key, and TLSv1.3 is not enabled, so no client could"
                        + " connect; list suites for this key (e.g. " + ("EC".equals(type)
                        ? "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256" : "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256")
                        + ") or enable TLSv1.3", null);
            }
            warnOnce("listener '" + listener + "': none of the TLS 1.2 cipher-suites works with " + what + " (" + unfit
                    + " need " + other + " key): only TLS 1.3 clients can connect");
        } else {
            warnOnce("listener '" + listener + "': cipher-suites " + unfit + " cannot be used with " + what
                    + " (they need " + other + " key); TLS 1.2 clients that offer only these cannot connect");
        }
    }

    private void warnOnce(String message) {
        if (warned.add(message)) {
            LOG.warn(message);
        }
    }

    /** With stapling, each certificate needs its issuer in the chain and an OCSP responder in its AIA. */
    private void checkStapling(KeyMaterials.Loaded loaded, TlsSettings.KeyMaterial source) throws TlsConfigException {
        if (stapler == null) {
            return;
        }
        String file = String.valueOf(source.keystore() != null ? source.keystore() : source.certificateChain());
        if (loaded.chain().length < 2) {
            throw new TlsConfigException(file + ": ocsp-stapling needs the issuer certificate after the server"
                    + " certificate in the chain");
        }
        if (OcspStapler.responderUrl(loaded.chain()[0]) == null) {
            throw new TlsConfigException(file + ": ocsp-stapling needs an OCSP responder URL (AIA) in the server"
                    + " certificate");
        }
        stapleChains.put(loaded.chain()[0], loaded.chain());
    }

    /** Checks the TLS files now instead of at the next reload interval (admin API reload). */
    public void reloadNow() {
        poll();
    }

    /** Checks the watched files; a change builds new contexts for new handshakes, a broken file keeps the old. */
    void poll() {
        try {
            byte[] now = digestFilesOrThrow();
            if (Arrays.equals(now, digest)) {
                if (failedDigest != null) {
                    failedDigest = null;
                    Contexts c = current.get();
                    LOG.info("listener '{}': TLS material is valid again: the files are back to the content in use"
                                    + " (certificate {}, SHA-256 {})", listener,
                            c == null ? "-" : c.defaultCert().getSubjectX500Principal().getName(),
                            c == null ? "-" : ClientCertificates.fingerprint(c.defaultCert()));
                }
                return;
            }
            if (Arrays.equals(now, failedDigest)) {
                return;
            }
            try {
                Contexts next = build();
                Contexts previous = current.getAndSet(next);
                if (previous != null) {
                    // Not at once: an event loop may be between looking a context up and creating its engine.
                    retired.add(previous);
                    timers.schedule(() -> releaseRetired(previous), RELEASE_DELAY_SECONDS, TimeUnit.SECONDS);
                }
                digest = now;
                failedDigest = null;
                LOG.info("listener '{}': TLS material changed, new handshakes use certificate {} (SHA-256 {});"
                                + " open connections are kept", listener,
                        next.defaultCert().getSubjectX500Principal().getName(),
                        ClientCertificates.fingerprint(next.defaultCert()));
            } catch (TlsConfigException e) {
                failedDigest = now;
                LOG.error("listener '{}': changed TLS material cannot be used, keeping the previous one: {}",
                        listener, e.getMessage());
            }
        } catch (IOException e) {
            if (failedDigest == null || failedDigest.length != 0) {
                LOG.error("listener '{}': cannot read TLS material, keeping the previous one: {}", listener, e.toString());
            }
            failedDigest = new byte[0];
        } catch (RuntimeException e) {
            LOG.error("listener '{}': TLS reload failed, keeping the previous material", listener, e);
        }
    }

    private byte[] digestFiles() throws TlsConfigException {
        try {
            return digestFilesOrThrow();
        } catch (IOException e) {
            throw new TlsConfigException("cannot read " + e.getMessage(), e);
        }
    }

    private byte[] digestFilesOrThrow() throws IOException {
        MessageDigest md;
        try {
            md = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        for (Path file : settings.files()) {
            md.update(file.toString().getBytes(java.nio.charset.StandardCharsets.UTF_8));
            md.update(Files.readAllBytes(file));
        }
        return md.digest();
    }

    /**
     * A new per-channel handler. With SNI certificates it reads the ClientHello's host name first and then installs
     * the matching {@link SslHandler}; with a single certificate there is nothing to choose, and the channel gets
     * the {@link SslHandler} of the current context directly (no ClientHello parsing in Java, no handler swap).
     */
    public ChannelHandler newHandler(ByteBufAllocator allocator) {
        Contexts contexts = current.get();
        if (settings.sni().isEmpty() && contexts != null) {
            return sslHandler(contexts.defaultContext(), allocator);
        }
        return new ListenerSniHandler();
    }

    /** The default context in use now (tests, diagnostics). */
    public SslContext defaultContext() {
        return current.get().defaultContext();
    }

    public String listener() {
        return listener;
    }

    /** Remembers why the trust manager refused the client of {@code engine}. */
    static void rejected(SSLEngine engine, TlsRejection rejection) {
        if (engine != null) {
            REJECTIONS.put(engine, rejection);
        }
    }

    /** Why the trust manager refused the client of {@code engine}, or {@code null}; forgets it. */
    static TlsRejection takeRejection(SSLEngine engine) {
        return engine == null ? null : REJECTIONS.remove(engine);
    }

    /** A new encryption key for session tickets; the previous one still decrypts for one more lifetime. */
    private void rotateTicketKeys() {
        Contexts c = current.get();
        if (c != null) {
            ticketKeys.rotate();
            ticketKeys.applyTo(c.all());
        }
    }

    /**
     * Checks the client certificate of a completed handshake again, full or resumed alike, with the listener's
     * current trust material, revocation policy and caches, and the current time, on the listener's handshake
     * executor (revocation may fetch). A full handshake's answers are still in the caches, so this repeats no
     * network request.
     *
     * @return completes with {@code null} when the session is acceptable (also without a client certificate),
     * or with the reason it is not
     */
    public CompletableFuture<TlsRejection> recheck(SSLSession session) {
        X509Certificate[] chain = peerChain(session);
        Contexts c = current.get();
        if (chain == null || c == null || c.trust() == null) {
            return CompletableFuture.completedFuture(null);
        }
        CheckingTrustManager trust = c.trust();
        try {
            return CompletableFuture.supplyAsync(() -> {
                try {
                    trust.verify(chain);
                    return null;
                } catch (TlsRejection r) {
                    return r;
                }
            }, tasks);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return CompletableFuture.completedFuture(new TlsRejection("error",
                    "the certificate could not be checked: the handshake executor is saturated", chain[0], e));
        }
    }

    private static X509Certificate[] peerChain(SSLSession session) {
        try {
            java.security.cert.Certificate[] peer = session.getPeerCertificates();
            if (peer.length == 0) {
                return null;
            }
            X509Certificate[] chain = new X509Certificate[peer.length];
            for (int i = 0; i < peer.length; i++) {
                chain[i] = (X509Certificate) peer[i];
            }
            return chain;
        } catch (javax.net.ssl.SSLPeerUnverifiedException | ClassCastException e) {
            return null;
        }
    }

    @Override
    public void close() {
        if (watch != null) {
            watch.cancel(false);
        }
        if (ticketRotation != null) {
            ticketRotation.cancel(false);
        }
        if (tasks != null) {
            tasks.shutdownNow();
        }
        if (stapler != null) {
            stapler.close();
        }
        Contexts last = current.getAndSet(null);
        if (last != null) {
            last.release();
        }
        retired.forEach(this::releaseRetired);
    }

    /** Releases a replaced generation once, whether its delay ran out or the listener closed first. */
    private void releaseRetired(Contexts generation) {
        if (retired.remove(generation)) {
            generation.release();
        }
    }

    private SslHandler sslHandler(SslContext context, ByteBufAllocator allocator) {
        Executor executor = tasks;
        SslHandler handler = executor == null ? context.newHandler(allocator) : context.newHandler(allocator, executor);
        handler.setHandshakeTimeoutMillis(settings.handshakeTimeout().toMillis());
        if (stapler != null && handler.engine() instanceof ReferenceCountedOpenSslEngine engine) {
            Contexts c = current.get();
            X509Certificate leaf = c == null ? null : c.leaves().get(context);
            byte[] response = leaf == null ? null : stapler.response(leaf);
            if (response != null) {
                engine.setOcspResponse(response);
            }
        }
        if (!settings.sessionTickets() && handler.engine() instanceof ReferenceCountedOpenSslEngine engine) {
            // Netty turns TLS 1.2 tickets back on for each engine when TLS 1.3 is enabled.
            io.netty.internal.tcnative.SSL.setOptions(engine.sslPointer(), io.netty.internal.tcnative.SSL.SSL_OP_NO_TICKET);
        }
        if (provider == SslProvider.JDK) {
            SSLParameters p = handler.engine().getSSLParameters();
            p.setUseCipherSuitesOrder(settings.preferServerCiphers());
            handler.engine().setSSLParameters(p);
        }
        return handler;
    }

    private final class ListenerSniHandler extends SniHandler {

        ListenerSniHandler() {
            super((Mapping<String, SslContext>) host -> current.get().map(host), settings.handshakeTimeout().toMillis());
        }

        @Override
        protected SslHandler newSslHandler(SslContext context, ByteBufAllocator allocator) {
            return sslHandler(context, allocator);
        }
    }

    /** The listener's handler for outcomes of handshakes on this listener. */
    public ChannelHandler newOutcomeHandler(TlsHandshakeHandler.FailureSink sink) {
        return new TlsHandshakeHandler(listener, observer, sink, settings.verifiesClients(),
                settings.verifiesClients() ? this::recheck : null);
    }
}
