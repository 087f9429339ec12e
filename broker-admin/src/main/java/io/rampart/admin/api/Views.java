package io.rampart.admin.api;

import io.rampart.admin.auth.AdminPrincipal;
import io.rampart.admin.rbac.AdminPermission;
import io.rampart.admin.rbac.Grant;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/** JSON shapes shared by several endpoints. */
final class Views {

    private Views() {
    }

    /** Who the caller is and what it may do, each grant with the rule it came from. */
    static Map<String, Object> identity(AdminPrincipal p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("name", p.name());
        out.put("realm", p.realm());
        out.put("authenticationMethod", p.method().id());
        out.put("authenticationManager", p.manager());
        out.put("tokenId", p.tokenId());
        out.put("roles", new TreeSet<>(p.roles()));
        out.put("expiresAt", p.expiresAt() == null ? null : p.expiresAt().toString());
        out.put("permissions", p.grants().permissions().stream().filter(x -> x != AdminPermission.ALL)
                .map(AdminPermission::id).sorted().toList());
        out.put("grants", grants(p.grants().grants()));
        return out;
    }

    static List<Map<String, Object>> grants(List<Grant> grants) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Grant g : grants) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("origin", g.rule().origin());
            m.put("template", g.rule().template());
            m.put("permissions", g.permissions().stream().map(AdminPermission::id).sorted().toList());
            m.put("scoped", g.scoped());
            if (g.scoped()) {
                m.put("clients", g.rule().clients() == null ? null : g.clientsShown());
                m.put("topics", g.rule().topics() == null ? null : g.topicsShown());
            }
            out.add(m);
        }
        return out;
    }
}
