package io.rampart.server.it.support;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A parsed Prometheus text exposition: samples by name and labels. {@link #value} sums the samples of a
 * name whose labels include the given ones, so {@code value("rampart_messages_in_total", "type", "publish")}
 * is the total over every QoS.
 */
public final class Scrape {

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {
    }

    private final List<Sample> samples;
    private final String text;

    private Scrape(List<Sample> samples, String text) {
        this.samples = samples;
        this.text = text;
    }

    public static Scrape parse(String text) {
        List<Sample> samples = new ArrayList<>();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String name;
            Map<String, String> labels = new LinkedHashMap<>();
            int brace = line.indexOf('{');
            int space;
            if (brace >= 0 && brace < line.indexOf(' ')) {
                name = line.substring(0, brace);
                int end = line.lastIndexOf('}');
                parseLabels(line.substring(brace + 1, end), labels);
                space = end + 1;
            } else {
                space = line.indexOf(' ');
                name = line.substring(0, space);
            }
            String[] rest = line.substring(space).trim().split("\\s+");
            samples.add(new Sample(name, labels, Double.parseDouble(rest[0])));
        }
        return new Scrape(samples, text);
    }

    private static void parseLabels(String s, Map<String, String> labels) {
        int i = 0;
        while (i < s.length()) {
            int eq = s.indexOf('=', i);
            String key = s.substring(i, eq).trim();
            StringBuilder v = new StringBuilder();
            int j = eq + 2; // skip ="
            while (j < s.length() && s.charAt(j) != '"') {
                if (s.charAt(j) == '\\' && j + 1 < s.length()) {
                    j++;
                }
                v.append(s.charAt(j));
                j++;
            }
            labels.put(key, v.toString());
            i = j + 1;
            if (i < s.length() && s.charAt(i) == ',') {
                i++;
            }
        }
    }

    /** Whether any sample of this name exists. */
    public boolean has(String name) {
        return samples.stream().anyMatch(s -> s.name().equals(name));
    }

    /** Sum of the samples of {@code name} whose labels include {@code labelPairs} (key, value, key, value...). */
    public double value(String name, String... labelPairs) {
        double sum = 0;
        boolean found = false;
        for (Sample s : samples) {
            if (!s.name().equals(name)) {
                continue;
            }
            boolean match = true;
            for (int i = 0; i < labelPairs.length; i += 2) {
                if (!labelPairs[i + 1].equals(s.labels().get(labelPairs[i]))) {
                    match = false;
                    break;
                }
            }
            if (match) {
                sum += s.value();
                found = true;
            }
        }
        if (!found) {
            throw new AssertionError("no sample " + name + " with " + String.join(",", labelPairs));
        }
        return sum;
    }

    public List<Sample> samples(String name) {
        return samples.stream().filter(s -> s.name().equals(name)).toList();
    }

    public String text() {
        return text;
    }
}
