package io.rampart.security.realm.sql;

import io.rampart.security.permission.Permission;
import io.rampart.security.permission.RuleOrigin;
import io.rampart.security.realm.admin.RealmEditException;
import io.rampart.security.realm.admin.RealmEditException.Kind;
import io.rampart.security.realm.admin.RealmEditor;
import io.rampart.security.realm.admin.RealmRole;
import io.rampart.security.realm.admin.RealmUser;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import javax.sql.DataSource;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The {@link RealmEditor} of a SQL realm: {@link SqlUserAdmin} (what {@code rampart users} uses) on a connection
 * of the realm's pool, one transaction per change; afterwards the realm forgets what it cached and re-checks its
 * live sessions. A realm that reads users through custom queries has no tables of ours to change and refuses.
 */
final class SqlRealmEditor implements RealmEditor {

    private static final Logger LOG = LogManager.getLogger("io.rampart.security.realm.sql");

    private final SqlRealm realm;
    private final DataSource dataSource;
    private final int queryTimeout;
    private final boolean ownSchema;

    SqlRealmEditor(SqlRealm realm, DataSource dataSource, int queryTimeout, boolean ownSchema) {
        this.realm = realm;
        this.dataSource = dataSource;
        this.queryTimeout = queryTimeout;
        this.ownSchema = ownSchema;
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(SqlUserAdmin admin) throws SQLException, SqlUserAdmin.AdminException;
    }

    private <T> T with(Work<T> work) throws RealmEditException {
        if (!ownSchema) {
            throw new RealmEditException(Kind.CONFLICT, "SQL realm '" + realm.name() + "' reads its users through "
                    + "custom queries: change them in that database");
        }
        try (SqlUserAdmin admin = SqlUserAdmin.using(dataSource.getConnection(), queryTimeout)) {
            return work.run(admin);
        } catch (SqlUserAdmin.AdminException e) {
            Kind kind = switch (e.kind()) {
                case NOT_FOUND -> Kind.NOT_FOUND;
                case EXISTS -> Kind.EXISTS;
                case INVALID -> Kind.INVALID;
                case OTHER -> Kind.CONFLICT;
            };
            throw new RealmEditException(kind, e.field(), e.getMessage());
        } catch (SQLException e) {
            throw new RealmEditException(Kind.UNAVAILABLE, "SQL realm '" + realm.name() + "': database error: "
                    + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
        }
    }

    private void change(String what, Work<Void> work) throws RealmEditException {
        with(work);
        LOG.info("SQL realm '{}': {} through the admin API", realm.name(), what);
        realm.changed();
    }

    @Override
    public List<RealmUser> users(String after, int limit) throws RealmEditException {
        return with(admin -> {
            List<RealmUser> out = new ArrayList<>();
            for (SqlUser u : admin.users(after, limit)) {
                out.add(new RealmUser(u.username(), u.passwordHash() != null, u.enabled(), u.roles(), List.of(),
                        List.of()));
            }
            return out;
        });
    }

    @Override
    public Optional<RealmUser> user(String name) throws RealmEditException {
        return with(admin -> {
            Optional<SqlUser> found = admin.user(name);
            if (found.isEmpty()) {
                return Optional.empty();
            }
            SqlUser u = found.get();
            PermissionRow.Owner owner = PermissionRow.Owner.user(name);
            return Optional.of(new RealmUser(name, u.passwordHash() != null, u.enabled(), u.roles(),
                    rules(admin, owner), admin.adminPermissions(owner, realm.name())));
        });
    }

    @Override
    public List<RealmRole> roles(String after, int limit) throws RealmEditException {
        return with(admin -> {
            List<RealmRole> out = new ArrayList<>();
            for (String name : admin.roleNames(after, limit)) {
                PermissionRow.Owner owner = PermissionRow.Owner.role(name);
                out.add(new RealmRole(name, rules(admin, owner), admin.adminPermissions(owner, realm.name())));
            }
            return out;
        });
    }

    @Override
    public Optional<RealmRole> role(String name) throws RealmEditException {
        return with(admin -> {
            if (!admin.roleExists(name)) {
                return Optional.empty();
            }
            PermissionRow.Owner owner = PermissionRow.Owner.role(name);
            return Optional.of(new RealmRole(name, rules(admin, owner), admin.adminPermissions(owner, realm.name())));
        });
    }

    /** The rules the realm applies (rows it would skip left out), each with its row as origin. */
    private List<Permission> rules(SqlUserAdmin admin, PermissionRow.Owner owner) throws SQLException {
        List<Permission> out = new ArrayList<>();
        for (PermissionRow row : admin.permissions(owner)) {
            if (row.permission() != null) {
                out.add(row.permission().withOrigin(RuleOrigin.sqlRow(realm.name(), owner.toString(), row.id())));
            }
        }
        return out;
    }

    @Override
    public void createUser(RealmUser user, String passwordHash) throws RealmEditException {
        change("user '" + user.name() + "' added", admin -> {
            admin.createUser(user.name(), passwordHash, user.enabled(), user.roles(), user.permissions(),
                    user.adminPermissions());
            return null;
        });
    }

    @Override
    public void updateUser(RealmUser user) throws RealmEditException {
        change("user '" + user.name() + "' changed", admin -> {
            admin.updateUser(user.name(), user.enabled(), user.roles(), user.permissions(), user.adminPermissions());
            return null;
        });
    }

    @Override
    public void deleteUser(String name) throws RealmEditException {
        change("user '" + name + "' deleted", admin -> {
            admin.remove(name);
            return null;
        });
    }

    @Override
    public void setPassword(String name, String passwordHash) throws RealmEditException {
        change("password of user '" + name + "' " + (passwordHash == null ? "removed" : "set"), admin -> {
            admin.setPassword(name, passwordHash);
            return null;
        });
    }

    @Override
    public void createRole(RealmRole role) throws RealmEditException {
        change("role '" + role.name() + "' added", admin -> {
            admin.createRole(role.name(), role.permissions(), role.adminPermissions());
            return null;
        });
    }

    @Override
    public void updateRole(RealmRole role) throws RealmEditException {
        change("role '" + role.name() + "' changed", admin -> {
            admin.updateRole(role.name(), role.permissions(), role.adminPermissions());
            return null;
        });
    }

    @Override
    public void deleteRole(String name) throws RealmEditException {
        change("role '" + name + "' deleted", admin -> {
            admin.deleteRole(name);
            return null;
        });
    }
}
