package io.rampart.security.realm.file;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** Entry-by-entry edits of a realm file's text: everything that does not change stays byte for byte. */
class RealmFileDocumentTest {

    private static ObjectNode user(String name, String role) {
        ObjectNode n = JsonNodeFactory.instance.objectNode().put("username", name);
        n.putArray("roles").add(role);
        return n;
    }

    @Test
    void unindentedLists_andADashOnItsOwnLine_keepTheirLayout() throws Exception {
        RealmFileDocument doc = new RealmFileDocument("""
                users:
                - username: a   # first
                -
                  username: b
                # before roles
                roles:
                - name: r
                - {name: s}
                """);
        doc.put("users", "username", "b", user("b", "r"));
        doc.put("users", "username", "c", user("c", "s"));
        assertThat(doc.text()).isEqualTo("""
                users:
                - username: a   # first
                - username: b
                  roles: [r]
                - username: c
                  roles: [s]
                # before roles
                roles:
                - name: r
                - {name: s}
                """);
        assertThat(doc.remove("roles", "name", "s")).isTrue();
        assertThat(doc.remove("roles", "name", "nope")).isFalse();
        assertThat(doc.text()).endsWith("roles:\n- name: r\n");
    }

    @Test
    void scalars_areQuotedOnlyWhenTheyWouldNotReadBackAsTheSameString() {
        assertThat(RealmFileDocument.scalar("sensors")).isEqualTo("sensors");
        assertThat(RealmFileDocument.scalar("yes")).isEqualTo("\"yes\"");
        assertThat(RealmFileDocument.scalar("123")).isEqualTo("\"123\"");
        assertThat(RealmFileDocument.scalar("a/#")).isEqualTo("\"a/#\"");
        assertThat(RealmFileDocument.scalar("say \"hi\"\n")).isEqualTo("\"say \\\"hi\\\"\\n\"");
        assertThat(RealmFileDocument.scalar("${mqtt-clientid}")).isEqualTo("\"${mqtt-clientid}\"");
    }
}
