package io.rampart.core.topic;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TopicsTest {

    private static final int MAX_LEN = 65_535;
    private static final int MAX_LEVELS = 1_000;

    @ParameterizedTest
    @ValueSource(strings = {"a", "a/b", "a//b", "/a", "a/", "/", "$SYS/broker", "sport/tennis/player1", "ünï/cödé"})
    void validateTopicName_whenValid_returnsNull(String topic) {
        assertThat(Topics.validateTopicName(topic, MAX_LEN, MAX_LEVELS)).isNull();
    }

    @Test
    void validateTopicName_whenInvalid_returnsReason() {
        assertThat(Topics.validateTopicName("", MAX_LEN, MAX_LEVELS)).isEqualTo("topic name is empty");
        assertThat(Topics.validateTopicName("a/+/b", MAX_LEN, MAX_LEVELS)).isEqualTo("topic name contains wildcard '+'");
        assertThat(Topics.validateTopicName("a/#", MAX_LEN, MAX_LEVELS)).isEqualTo("topic name contains wildcard '#'");
        assertThat(Topics.validateTopicName("a\u0000b", MAX_LEN, MAX_LEVELS)).contains("U+0000");
        assertThat(Topics.validateTopicName("a\uD800b", MAX_LEN, MAX_LEVELS)).contains("surrogate");
        assertThat(Topics.validateTopicName("a/b/c", MAX_LEN, 2)).contains("3 levels");
        assertThat(Topics.validateTopicName("a/b", MAX_LEN, 2)).isNull();
    }

    @Test
    void validateTopicName_countsLengthInUtf8Bytes() {
        // 'é' is 2 bytes, '€' is 3 bytes, U+1F600 is 4 bytes (a surrogate pair, 2 chars)
        assertThat(Topics.validateTopicName("éé", 4, MAX_LEVELS)).isNull();
        assertThat(Topics.validateTopicName("éé", 3, MAX_LEVELS)).contains("4 bytes");
        assertThat(Topics.validateTopicName("€", 3, MAX_LEVELS)).isNull();
        assertThat(Topics.validateTopicName("€", 2, MAX_LEVELS)).isNotNull();
        assertThat(Topics.validateTopicName("\uD83D\uDE00", 4, MAX_LEVELS)).isNull();
        assertThat(Topics.validateTopicName("\uD83D\uDE00", 3, MAX_LEVELS)).contains("4 bytes");
        assertThat(Topics.validateTopicFilter("é/#", 3, MAX_LEVELS)).isNotNull();
        assertThat(Topics.validateTopicFilter("é/#", 4, MAX_LEVELS)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"#", "+", "a/#", "a/+/b", "+/+", "+/#", "a//+", "/#", "$SYS/#", "$share/g/a/#",
            "$share/g/+", "$share/g/#", "$share", "a/b/c"})
    void validateTopicFilter_whenValid_returnsNull(String filter) {
        assertThat(Topics.validateTopicFilter(filter, MAX_LEN, MAX_LEVELS)).isNull();
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "a/#/b", "a+", "+a", "a/b+/c", "#a", "a#", "a/##", "a/+#", "$share/g", "$share/",
            "$share//a", "$share/g+/a", "$share/g#/a", "$share/g/", "$share/g/a/#/b", "a\u0000"})
    void validateTopicFilter_whenInvalid_returnsReason(String filter) {
        assertThat(Topics.validateTopicFilter(filter, MAX_LEN, MAX_LEVELS)).isNotNull();
    }

    @Test
    void validateTopicFilter_countsLevelsOfTheFilterPart() {
        assertThat(Topics.validateTopicFilter("a/b/c", MAX_LEN, 2)).contains("3 levels");
        assertThat(Topics.validateTopicFilter("$share/g/a/b", MAX_LEN, 2)).isNull();
        assertThat(Topics.validateTopicFilter("$share/g/a/b/c", MAX_LEN, 2)).isNotNull();
        assertThat(Topics.validateTopicFilter("$share/g/a/b", 11, MAX_LEVELS)).contains("bytes");
    }

    @Test
    void sharedFilterParts() {
        assertThat(Topics.isShared("$share/g/a/b")).isTrue();
        assertThat(Topics.isShared("$share")).isFalse();
        assertThat(Topics.isShared("a/$share/g")).isFalse();
        assertThat(Topics.shareGroup("$share/g/a/b")).isEqualTo("g");
        assertThat(Topics.shareFilter("$share/g/a/b")).isEqualTo("a/b");
        assertThat(Topics.shareFilter("$share/grp/#")).isEqualTo("#");
        assertThatThrownBy(() -> Topics.shareGroup("a/b")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void hasWildcard() {
        assertThat(Topics.hasWildcard("a/+/b")).isTrue();
        assertThat(Topics.hasWildcard("a/#")).isTrue();
        assertThat(Topics.hasWildcard("a/b")).isFalse();
    }

    @ParameterizedTest(name = "{0} matches {1}: {2}")
    @CsvSource({
            "a/b, a/b, true",
            "a/b, a/c, false",
            "a/b, a/bc, false",
            "a/bc, a/b, false",
            "a/b, a, false",
            "a, a/b, false",
            "sport/#, sport, true",
            "sport/#, sport/tennis/player1, true",
            "sport/#, sport/, true",
            "sport/#, sports, false",
            "#, a, true",
            "#, /a, true",
            "#, a/b/c, true",
            "+, a, true",
            "+, a/b, false",
            "+, /a, false",
            "+/+, /a, true",
            "/+, /a, true",
            "a/+, a/, true",
            "a/+/c, a//c, true",
            "a//c, a//c, true",
            "a//c, a/b/c, false",
            "+/#, a, true",
            "+/+/#, a, false",
            "sport/+, sport, false",
            "sport/+/player1, sport/tennis/player1, true",
            "a/, a/, true",
            "a/, a, false",
            "#, $SYS/broker, false",
            "+/broker, $SYS/broker, false",
            "+, $SYS, false",
            "$SYS/#, $SYS/broker, true",
            "$SYS/#, $SYS, true",
            "$SYS/+, $SYS/broker, true",
            "a/$x, a/$x, true",
            "+/$x, a/$x, true",
    })
    void matches(String filter, String topic, boolean expected) {
        assertThat(Topics.matches(filter, topic)).isEqualTo(expected);
    }

    @Test
    void levels_keepsEmptyLevels() {
        assertThat(Topics.levels("a//b")).containsExactly("a", "", "b");
        assertThat(Topics.levels("/")).containsExactly("", "");
        assertThat(Topics.levels("a")).containsExactly("a");
    }
}
