/**
 * Changing a realm's users, roles and permissions from a running broker (the admin API): the {@link
 * io.rampart.security.realm.admin.RealmEditor} that file and SQL realms hand out, and the values it reads and
 * writes.
 */
package io.rampart.security.realm.admin;
