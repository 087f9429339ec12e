package io.rampart.admin.rbac;

/** Whether one topic filter covers another: every topic the inner filter matches, the outer one matches too. */
final class TopicCoverage {

    private TopicCoverage() {
    }

    static boolean covers(String outer, String inner) {
        String[] o = outer.split("/", -1);
        String[] i = inner.split("/", -1);
        if (inner.startsWith("$") != outer.startsWith("$") && (o[0].equals("#") || o[0].equals("+"))) {
            // wildcards at the first level never match $-topics
            return false;
        }
        for (int k = 0; k < o.length; k++) {
            if (o[k].equals("#")) {
                return true;
            }
            if (k >= i.length) {
                return false;
            }
            if (i[k].equals("#")) {
                return false;
            }
            if (o[k].equals("+")) {
                continue;
            }
            if (!o[k].equals(i[k])) {
                return false;
            }
        }
        return i.length == o.length;
    }
}
