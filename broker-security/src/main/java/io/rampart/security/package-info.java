/**
 * Authentication and authorization for Rampart: the SPI that the server's connection gate and
 * publish/subscribe hooks call, the permission model and the realms that back it.
 */
package io.rampart.security;
