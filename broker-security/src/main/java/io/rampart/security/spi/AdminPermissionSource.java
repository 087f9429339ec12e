package io.rampart.security.spi;

import io.rampart.security.permission.AdminGrantSpec;

import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * A realm that stores admin permissions with its users and roles ({@code admin-permissions} in a realm file, the
 * {@code admin_permissions} table of a SQL realm). The admin plane combines them with its own role mapping
 * ({@code admin.roles}) for the identities this realm vouches for.
 */
public interface AdminPermissionSource {

    /**
     * The admin permissions of {@code identity} as this realm holds them now: for a user of this realm its own
     * entries followed by those of the roles the realm gives it; for anyone else none. Never completes exceptionally:
     * a realm that cannot answer answers with none (fail closed).
     */
    CompletionStage<List<AdminGrantSpec>> adminPermissionsOf(Identity identity);
}
