package io.rampart.server.admin;

import io.rampart.admin.broker.PasswordChanges;
import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.realm.file.FileRealm;
import io.rampart.security.realm.file.FileRealmException;
import io.rampart.security.realm.file.UsersFileEditor;
import io.rampart.security.spi.Realm;

import java.io.IOException;
import java.util.Map;

/**
 * Password changes through the admin API for users of file realms: a new hash is written to the realm's file
 * (atomically, other entries kept) and the realm reloads it at once. Other realm types refuse.
 */
final class FileRealmPasswords implements PasswordChanges {

    private final Map<String, Realm> realms;

    FileRealmPasswords(Map<String, Realm> realms) {
        this.realms = realms;
    }

    @Override
    public void change(String realm, String username, char[] password) throws Refused {
        if (!(realms.get(realm) instanceof FileRealm file)) {
            throw new Refused("the password of a user of realm '" + realm + "' cannot be changed through the admin API"
                    + " (only file realms)");
        }
        String hash = new PasswordHasher().hash(password);
        try {
            UsersFileEditor.setPassword(file.file(), username, hash, null, "");
            file.reload();
        } catch (IOException | FileRealmException e) {
            throw new Refused("the new password could not be stored: " + e.getMessage());
        }
    }
}
