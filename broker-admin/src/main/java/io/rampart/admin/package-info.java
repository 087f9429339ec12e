/**
 * The admin plane: the HTTP API of admin listeners ({@code /api/v1}), admin authentication (Basic, API tokens,
 * session cookie, bearer JWT, client certificates) and per-endpoint RBAC with client and topic scopes, bans, the
 * hash-chained audit log and the OpenAPI document. It reaches the broker only through the interfaces of
 * {@code io.rampart.admin.broker}, which the server implements.
 */
package io.rampart.admin;
