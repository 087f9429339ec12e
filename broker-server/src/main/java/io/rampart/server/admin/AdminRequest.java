package io.rampart.server.admin;

/**
 * One HTTP request to the admin listener, already read in full.
 *
 * @param method    upper case ({@code GET}, {@code PUT})
 * @param path      the path without the query string, e.g. {@code /loggers/rampart.events}
 * @param rest      what follows the route's prefix ({@code rampart.events} for {@code /loggers/}), or empty
 * @param body      the request body as UTF-8 text
 */
public record AdminRequest(String method, String path, String rest, String body) {
}
