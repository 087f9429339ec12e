package io.rampart.admin.http;

/**
 * The body of a Server-Sent Events answer ({@code text/event-stream}): the writer sends the answer's head, then
 * hands the stream a {@link Sink} to write events to until either side ends it.
 */
public interface EventStream {

    /** Called once, after the head of the answer was written. */
    void open(Sink sink);

    /** Called once when the connection ended, whoever ended it. */
    void closed();

    /** Where a stream writes its events; safe to use from any thread. */
    interface Sink {

        /**
         * Sends one event. Nothing is queued for a slow reader: while the connection cannot take more, the event
         * is dropped and {@code false} returned.
         *
         * @param data one line of text (JSON); never containing a line break
         */
        boolean send(String event, String data);

        /** A comment line, which keeps the connection (and proxies) from going idle. */
        void comment(String text);

        /** Ends the answer and closes the connection. */
        void close();

        boolean isOpen();
    }
}
