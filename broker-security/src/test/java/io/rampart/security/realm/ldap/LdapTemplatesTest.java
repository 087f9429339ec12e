package io.rampart.security.realm.ldap;

import com.unboundid.ldap.sdk.DN;
import com.unboundid.ldap.sdk.Filter;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class LdapTemplatesTest {

    private static final String DN_TEMPLATE = "uid=${mqtt-username},ou=devices,dc=example,dc=org";

    @ParameterizedTest
    @ValueSource(strings = {"sensor-1", "*", ")(uid=*", "\\", ",", "=", "+", "<", ">", "#", ";", "\"", " lead",
            "trail ", "a,ou=people", "a+cn=b", "#04024869", "x\u0000y", "uid=admin,dc=example,dc=org", "√ünicode ☃"})
    void dn_anyUserName_staysOneAttributeValueOfTheFirstRdn(String username) throws Exception {
        DN dn = LdapTemplates.dn(DN_TEMPLATE, Map.of("mqtt-username", username));
        assertThat(dn.getRDNs()).hasSize(4);
        assertThat(dn.getRDN().getAttributeNames()).containsExactly("uid");
        assertThat(dn.getRDN().getAttributeValues()).containsExactly(username);
        assertThat(dn.getParent()).isEqualTo(new DN("ou=devices,dc=example,dc=org"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"alice", "*", "al*", ")(uid=*", "alice)(|(uid=*)", "\\", "\\2a", "(", ")", "x\u0000y"})
    void filter_anyUserName_isOneEqualityAssertion(String username) {
        Filter f = LdapTemplates.filter("(&(objectClass=inetOrgPerson)(uid=${mqtt-username}))",
                Map.of("mqtt-username", username));
        assertThat(f.getComponents()).hasSize(2);
        Filter uid = f.getComponents()[1];
        assertThat(uid.getFilterType()).isEqualTo(Filter.FILTER_TYPE_EQUALITY);
        assertThat(uid.getAssertionValue()).isEqualTo(username);
    }

    @ParameterizedTest
    @ValueSource(strings = {""})
    void templates_emptyValue_giveNothing(String username) {
        assertThat(LdapTemplates.dn(DN_TEMPLATE, Map.of("mqtt-username", username))).isNull();
        assertThat(LdapTemplates.filter("(uid=${mqtt-username})", Map.of("mqtt-username", username))).isNull();
        assertThat(LdapTemplates.filter("(uid=${mqtt-username})", Map.of())).isNull();
    }
}
