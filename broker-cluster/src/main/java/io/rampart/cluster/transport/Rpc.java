package io.rampart.cluster.transport;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jgroups.Address;

import java.io.IOException;
import java.time.Duration;
import java.util.Collection;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Requests between nodes that expect a reply, over the {@link Messenger}. A call fails when the reply does not come
 * within its timeout or when the called node leaves the view first. Services run on the given executor, never on
 * JGroups' delivery threads.
 */
public final class Rpc {

    private static final Logger LOG = LogManager.getLogger("rampart.cluster");

    /** Answers one kind of request. */
    @FunctionalInterface
    public interface Service {
        CompletionStage<byte[]> handle(Address from, Wire.In body) throws IOException;
    }

    /** The called node answered with an error. */
    public static final class RemoteFailure extends IOException {
        public RemoteFailure(String message) {
            super(message);
        }
    }

    private record Pending(Address to, CompletableFuture<Wire.In> reply) {
    }

    private final Messenger messenger;
    private final Executor executor;
    private final ScheduledExecutorService timer;
    private final Service[] services = new Service[32];
    private final AtomicLong ids = new AtomicLong();
    private final ConcurrentHashMap<Long, Pending> pending = new ConcurrentHashMap<>();

    public Rpc(Messenger messenger, Executor executor, ScheduledExecutorService timer) {
        this.messenger = messenger;
        this.executor = executor;
        this.timer = timer;
        messenger.on(Messenger.REQUEST, this::request);
        messenger.on(Messenger.REPLY, this::reply);
    }

    public void serve(int operation, Service service) {
        services[operation] = service;
    }

    /** Calls {@code operation} on node {@code to}; the reply's body, or a failure. */
    public CompletableFuture<Wire.In> call(Address to, int operation, byte[] body, Duration timeout) {
        long id = ids.incrementAndGet();
        CompletableFuture<Wire.In> reply = new CompletableFuture<>();
        pending.put(id, new Pending(to, reply));
        byte[] frame = new Wire.Out(body.length + 16).writeByte(Messenger.REQUEST).writeLong(id).writeByte(operation)
                .writeBytes(body).toByteArray();
        executor.execute(() -> {
            try {
                messenger.send(to, frame);
            } catch (Exception e) {
                fail(id, e);
            }
        });
        timer.schedule(() -> fail(id, new TimeoutException("no reply from " + to + " within " + timeout.toMillis()
                + " ms")), timeout.toMillis(), TimeUnit.MILLISECONDS);
        return reply;
    }

    /** Nodes left the view: their calls fail now. */
    public void left(Collection<Address> gone) {
        for (var e : pending.entrySet()) {
            if (gone.contains(e.getValue().to())) {
                fail(e.getKey(), new IOException("node " + e.getValue().to() + " left the cluster"));
            }
        }
    }

    private void fail(long id, Throwable why) {
        Pending p = pending.remove(id);
        if (p != null) {
            p.reply().completeExceptionally(why);
        }
    }

    private void request(Address from, Wire.In in) throws IOException {
        long id = in.readLong();
        int operation = in.readByte();
        byte[] body = in.readBytes();
        Service service = operation < services.length ? services[operation] : null;
        executor.execute(() -> {
            CompletionStage<byte[]> answer;
            try {
                if (service == null) {
                    throw new IOException("no service " + operation + " on this node");
                }
                answer = service.handle(from, new Wire.In(body));
            } catch (IOException | RuntimeException e) {
                answer = CompletableFuture.failedFuture(e);
            }
            answer.whenComplete((result, error) -> {
                Wire.Out out = new Wire.Out(64).writeByte(Messenger.REPLY).writeLong(id);
                if (error == null) {
                    out.writeBoolean(true).writeBytes(result);
                } else {
                    LOG.debug("cluster: request {} from {} failed: {}", operation, from, error.toString());
                    out.writeBoolean(false).writeString(String.valueOf(error.getMessage()));
                }
                byte[] frame = out.toByteArray();
                executor.execute(() -> {
                    try {
                        messenger.send(from, frame);
                    } catch (Exception e) {
                        LOG.debug("cluster: reply to {} not sent: {}", from, e.toString());
                    }
                });
            });
        });
    }

    private void reply(Address from, Wire.In in) throws IOException {
        long id = in.readLong();
        boolean ok = in.readBoolean();
        Pending p = pending.remove(id);
        if (p == null) {
            return;
        }
        if (ok) {
            byte[] body = in.readBytes();
            p.reply().complete(new Wire.In(body == null ? new byte[0] : body));
        } else {
            p.reply().completeExceptionally(new RemoteFailure(in.readString()));
        }
    }
}
