package io.rampart.security.realm.file;

import io.rampart.security.hash.PasswordHasher;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class UsersFileEditorTest {

    @TempDir
    Path dir;

    private static final String HASH = new PasswordHasher().hash("secret-password".toCharArray());

    @Test
    void newFile_getsTheUserItsRolesAndTheHeader_readableByTheOwnerOnly() throws Exception {
        Path file = dir.resolve("admin/users.yaml");
        assertThat(UsersFileEditor.hasUsers(file)).isFalse();
        UsersFileEditor.setPassword(file, "admin", HASH, List.of("admins"), "# header\n\n");
        assertThat(UsersFileEditor.hasUsers(file)).isTrue();
        String text = Files.readString(file);
        assertThat(text).startsWith("# header").contains("username: admin").contains("roles: [admins]")
                .contains("name: admins");
        assertThat(FileRealm.validate(file.toString(), Files.readAllBytes(file), false)).containsExactly("admin");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
    }

    @Test
    void existingUser_getsANewHash_andEverythingElseIsKept() throws Exception {
        Path file = dir.resolve("users.yaml");
        String original = """
                # keep me
                users:
                  - username: bob
                    password: "%s"
                    roles: [ops]
                  - username: eve
                roles:
                  - name: ops
                    permissions:
                      - topic: "a/#"   # comments below the top are kept too
                """.formatted(HASH);
        Files.writeString(file, original);
        String newHash = new PasswordHasher().hash("another-password".toCharArray());
        UsersFileEditor.setPassword(file, "bob", newHash, null, "");
        String text = Files.readString(file);
        assertThat(text).isEqualTo(original.replace(HASH, newHash));
        assertThat(FileRealm.validate(file.toString(), Files.readAllBytes(file), false)).containsExactly("bob", "eve");
    }

    @Test
    void resultThatWouldBeInvalid_isNotWritten() throws Exception {
        Path file = dir.resolve("users.yaml");
        Files.writeString(file, "users: 3\n");
        assertThatThrownBy(() -> UsersFileEditor.setPassword(file, "bob", HASH, null, ""))
                .hasMessageContaining("users: expected a list");
        assertThat(Files.readString(file)).isEqualTo("users: 3\n");
    }
}
