package io.rampart.security.realm.admin;

import java.util.List;
import java.util.Optional;

/**
 * Reads and changes the users and roles of one realm while the broker runs. Every change is validated as the
 * realm would validate it, stored (a realm file replaced atomically, one SQL transaction), and then the realm
 * re-checks at once ({@link io.rampart.security.spi.Realm#recheck()}): the changed users and roles apply to new
 * CONNECTs and to live sessions, which are re-authorized without a reconnect.
 *
 * <p>Calls block (file or database I/O): never call them on an event loop. Thread-safe; changes of one realm are
 * made one at a time.
 */
public interface RealmEditor {

    /** Users in name order after {@code after} ({@code null}: from the first), at most {@code limit}. */
    List<RealmUser> users(String after, int limit) throws RealmEditException;

    Optional<RealmUser> user(String name) throws RealmEditException;

    /** Roles in name order after {@code after} ({@code null}: from the first), at most {@code limit}. */
    List<RealmRole> roles(String after, int limit) throws RealmEditException;

    Optional<RealmRole> role(String name) throws RealmEditException;

    /**
     * Adds a user; its roles must exist.
     *
     * @param passwordHash an encoded hash, or {@code null} for a user without password login
     */
    void createUser(RealmUser user, String passwordHash) throws RealmEditException;

    /** Replaces an existing user's roles, permissions, admin permissions and (SQL) enabled flag; keeps its password. */
    void updateUser(RealmUser user) throws RealmEditException;

    void deleteUser(String name) throws RealmEditException;

    /** Sets (or, with {@code null}, removes) an existing user's password hash. */
    void setPassword(String name, String passwordHash) throws RealmEditException;

    void createRole(RealmRole role) throws RealmEditException;

    /** Replaces an existing role's permissions and admin permissions. */
    void updateRole(RealmRole role) throws RealmEditException;

    /** Deletes a role; users holding it lose it. */
    void deleteRole(String name) throws RealmEditException;
}
