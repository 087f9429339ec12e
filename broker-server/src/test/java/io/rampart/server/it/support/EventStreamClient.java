package io.rampart.server.it.support;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.stream.Stream;

/**
 * A Server-Sent Events client of the admin API's live streams ({@code /api/v1/events/...}): reads the stream on a
 * thread of its own and keeps every event, so a test can wait for one that matches.
 */
public final class EventStreamClient implements AutoCloseable {

    /** One event: its name and its data parsed as JSON. */
    public record Event(String name, JsonNode data) {
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Event END_OF_STREAM = new Event("(end of stream)", null);

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private final HttpResponse<Stream<String>> response;
    private final CompletableFuture<Void> reader;

    private EventStreamClient(HttpResponse<Stream<String>> response) {
        this.response = response;
        this.reader = CompletableFuture.runAsync(this::read);
    }

    /** Opens {@code path} on the admin listener at {@code port} with these request headers. */
    public static EventStreamClient open(int port, String path, Map<String, String> headers) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).GET();
        headers.forEach(b::header);
        try {
            return new EventStreamClient(HTTP.send(b.build(), HttpResponse.BodyHandlers.ofLines()));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }

    public int status() {
        return response.statusCode();
    }

    public String header(String name) {
        return response.headers().firstValue(name).orElse(null);
    }

    private void read() {
        String name = "message";
        try (Stream<String> lines = response.body()) {
            for (String line : (Iterable<String>) lines::iterator) {
                if (line.startsWith("event: ")) {
                    name = line.substring("event: ".length());
                } else if (line.startsWith("data: ")) {
                    String data = line.substring("data: ".length());
                    events.add(new Event(name, data.startsWith("{") ? JSON.readTree(data) : JSON.getNodeFactory().textNode(data)));
                } else if (line.isEmpty()) {
                    name = "message";
                }
            }
        } catch (IOException | UncheckedIOException e) {
            // the stream was closed
        } finally {
            events.add(END_OF_STREAM);
        }
    }

    /** The next event named {@code name} that {@code matches}, within 30 s; earlier ones are skipped. */
    public Event next(String name, Predicate<JsonNode> matches) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long left = deadline - System.nanoTime();
            Event e;
            try {
                e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", ex);
            }
            if (e == null) {
                throw new AssertionError("no '" + name + "' event within 30 s");
            }
            if (e == END_OF_STREAM) {
                throw new AssertionError("the stream ended before a '" + name + "' event came");
            }
            if (e.name().equals(name) && matches.test(e.data())) {
                return e;
            }
        }
    }

    public Event next(String name) {
        return next(name, d -> true);
    }

    /** Waits (30 s at most) until the server ends the stream; returns the events it sent until then. */
    public java.util.List<Event> awaitEnd() {
        java.util.List<Event> seen = new java.util.ArrayList<>();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (true) {
            long left = deadline - System.nanoTime();
            Event e;
            try {
                e = left <= 0 ? null : events.poll(left, TimeUnit.NANOSECONDS);
            } catch (InterruptedException ex) {
                Thread.currentThread().interrupt();
                throw new AssertionError("interrupted", ex);
            }
            if (e == null) {
                throw new AssertionError("the stream did not end within 30 s");
            }
            if (e == END_OF_STREAM) {
                return seen;
            }
            seen.add(e);
        }
    }

    @Override
    public void close() {
        reader.cancel(true);
        try {
            response.body().close();
        } catch (RuntimeException e) {
            // already closed
        }
    }
}
