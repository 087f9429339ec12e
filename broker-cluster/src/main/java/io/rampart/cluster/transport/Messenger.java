package io.rampart.cluster.transport;

import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;
import org.jgroups.Address;
import org.jgroups.BytesMessage;
import org.jgroups.JChannel;
import org.jgroups.Message;
import org.jgroups.Receiver;
import org.jgroups.View;
import org.jgroups.fork.ForkChannel;

import java.io.IOException;
import java.util.function.Consumer;

/**
 * Rampart's own messages between nodes, on a JGroups fork of the data grid's channel (the same TLS connections).
 * The first byte of each message says what it is and picks its handler. Messages from one node are delivered in the
 * order it sent them, one at a time; handlers must hand slow work to another thread.
 */
public final class Messenger implements AutoCloseable {

    /** Forwarded PUBLISHes (a batch). */
    public static final byte FORWARD = 1;
    /** Acknowledgements of forwarded QoS 1/2 messages. */
    public static final byte FORWARD_ACK = 2;
    /** A request that expects a reply. */
    public static final byte REQUEST = 3;
    /** The reply to a request. */
    public static final byte REPLY = 4;
    /** A node announces that it leaves on purpose. */
    public static final byte LEAVING = 5;
    /** A signal to every node (shared security state). */
    public static final byte SIGNAL = 6;

    private static final Logger LOG = LogManager.getLogger("rampart.cluster");

    /** Handles one kind of message; {@code in} starts after the type byte. */
    @FunctionalInterface
    public interface Handler {
        void handle(Address from, Wire.In in) throws IOException;
    }

    private final ForkChannel fork;
    private final Handler[] handlers = new Handler[8];
    private volatile Consumer<View> viewListener = v -> { };

    public Messenger(JChannel main) throws Exception {
        this.fork = new ForkChannel(main, "rampart", "rampart-broker");
        fork.setReceiver(new Receiver() {
            @Override
            public void receive(Message msg) {
                dispatch(msg);
            }

            @Override
            public void viewAccepted(View view) {
                viewListener.accept(view);
            }
        });
    }

    /** Registers the handler of one message type; call before {@link #connect()}. */
    public void on(byte type, Handler handler) {
        handlers[type] = handler;
    }

    public void onView(Consumer<View> listener) {
        this.viewListener = listener;
    }

    public void connect() throws Exception {
        fork.connect("rampart");
    }

    public Address localAddress() {
        return fork.getAddress();
    }

    public View view() {
        return fork.getView();
    }

    /** Sends to one node; may block briefly under flow control, so never call it on an I/O thread. */
    public void send(Address to, byte[] data) throws Exception {
        fork.send(new BytesMessage(to, data));
    }

    private void dispatch(Message msg) {
        byte[] data = msg.getArray();
        int offset = msg.getOffset();
        int length = msg.getLength();
        if (data == null || length == 0) {
            return;
        }
        int type = data[offset];
        Handler handler = type > 0 && type < handlers.length ? handlers[type] : null;
        if (handler == null) {
            LOG.warn("cluster: ignored a message of unknown type {} from {} (a node of another version?)", type,
                    msg.getSrc());
            return;
        }
        try {
            handler.handle(msg.getSrc(), new Wire.In(data, offset + 1, length - 1));
        } catch (IOException | RuntimeException e) {
            LOG.error("cluster: a message of type {} from {} could not be handled: {}", type, msg.getSrc(), e.toString());
        }
    }

    @Override
    public void close() {
        fork.close();
    }
}
