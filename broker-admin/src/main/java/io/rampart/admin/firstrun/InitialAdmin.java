package io.rampart.admin.firstrun;

import io.rampart.admin.config.AdminSettings;
import io.rampart.security.hash.PasswordHasher;
import io.rampart.security.realm.file.UsersFileEditor;
import org.apache.logging.log4j.LogManager;
import org.apache.logging.log4j.Logger;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.Arrays;

/**
 * First start: when the admin realm's users file is missing or holds no users, creates the configured user with a
 * random password, stores only its hash in that file, flags the password to be changed at first sign-in and prints
 * the password once on the console (never to a log). Every later start finds the user and prints nothing.
 */
public final class InitialAdmin {

    private static final Logger LOG = LogManager.getLogger(InitialAdmin.class);
    private static final String ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789";
    private static final int LENGTH = 24;
    private static final String HEADER = """
            # Users of the admin plane (a file realm read by the admin pipeline). Created by Rampart on its first
            # start with one user and a random password, printed once on the console. Reset a password with
            #   rampart passwd <this file> <user>
            # Only password hashes are stored here.
            """;

    private InitialAdmin() {
    }

    /**
     * @param usersFile the file realm's file
     * @return whether the user was created (and its password printed)
     */
    public static boolean ensure(AdminSettings.InitialAdmin initial, Path usersFile, PasswordChangeFlags flags,
                                 PrintStream console) throws IOException {
        if (UsersFileEditor.hasUsers(usersFile)) {
            return false;
        }
        char[] password = random();
        try {
            String hash = new PasswordHasher().hash(password);
            UsersFileEditor.setPassword(usersFile, initial.username(), hash, initial.roles(), HEADER);
            flags.set(initial.realm(), initial.username(), true);
            LOG.info("first start: created admin user '{}' in {} (realm '{}'); its password was printed on the console",
                    initial.username(), usersFile, initial.realm());
            console.println();
            console.println("==================================================================================");
            console.println(" Rampart first start: admin user '" + initial.username() + "' created in " + usersFile);
            console.println(" Its password, shown only this once:  " + new String(password));
            console.println(" Sign in to the admin API with it and change it (PUT /api/v1/session/password);");
            console.println(" reset it any time with:  rampart passwd " + usersFile + " " + initial.username());
            console.println("==================================================================================");
            console.println();
            console.flush();
            return true;
        } finally {
            Arrays.fill(password, '\0');
        }
    }

    private static char[] random() {
        SecureRandom random = new SecureRandom();
        char[] out = new char[LENGTH];
        for (int i = 0; i < LENGTH; i++) {
            out[i] = ALPHABET.charAt(random.nextInt(ALPHABET.length()));
        }
        return out;
    }
}
