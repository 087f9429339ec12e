package io.rampart.server.admin;

import io.rampart.server.logging.JsonText;

import java.util.List;

/** The little JSON the admin endpoints write, built by hand (no reflection, no plugin scanning). */
final class Json {

    private Json() {
    }

    static String string(String value) {
        return JsonText.quoted(value);
    }

    static String array(List<String> values) {
        StringBuilder b = new StringBuilder("[");
        for (int i = 0; i < values.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(string(values.get(i)));
        }
        return b.append(']').toString();
    }
}
