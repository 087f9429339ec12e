package io.rampart.security.realm.file;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/** Realm file fixtures: cheap (1000-iteration) PBKDF2 hashes made with Python's hashlib, and atomic writes. */
final class RealmFiles {

    static final String S1_SECRET_HASH = "$pbkdf2-sha512$i=1000$X5J0uPJzkhChuwcZOd1rSw$6+LGDCt5RRKHaDRAVClrZ1rH4rwoh6X8HsuoIENtfciqKBFIZpTSLCoLq8y/aU5kahzQw/vqolosWcFuk4BetA";
    static final String ADMIN_SECRET_HASH = "$pbkdf2-sha512$i=1000$WmR2VFvQ+ycfJQFgAwqTqQ$Rfyv6C++B9+VjPyiJO6FDp6PUZE2dx3PeCuI3E61UNd7W1MSleYFQC1eyknVEd1z0fpOt16XdqjviceoyQvLQA";
    static final String NEW_SECRET_HASH = "$pbkdf2-sha512$i=1000$in6EpFAAfz7OtVT1t3x0MQ$42ULwP9wfahBs2T4eqY+KIkdxpLiKNifWI6dkm/VSPcXNJ8LGLCN/e2nsDA2u7IadoqrOChsAHKh+hg6yMBIdQ";
    static final String CHANGED_SECRET_HASH = "$pbkdf2-sha512$i=1000$3sz18rPbTeEHzSp/M62LCQ$Ra9AGCJPaAq1OgdRo5KAsPTrYhwy3wcUsvI+p3EG2lyZuvS/oo+mCv6qB3PPGkpqNsp81wwjtVAuQuI48eLu3Q";

    static final String BASE = """
            users:
              - username: sensor-1
                password: "%s"
                roles: [sensors]
                permissions:
                  - topic: "devices/${mqtt-clientid}/#"
                    activity: publish
                    qos: [0, 1]
                    retain: false
              - username: admin
                password: "%s"
                roles: [admins, sensors]
            roles:
              - name: sensors
                permissions:
                  - topic: "config/${mqtt-username}"
                    activity: subscribe
              - name: admins
                permissions:
                  - topic: "#"
                  - topic: "secret/#"
                    effect: deny
            """.formatted(S1_SECRET_HASH, ADMIN_SECRET_HASH);

    private RealmFiles() {
    }

    /** Writes like an editor that saves atomically: a temporary file renamed over the target. */
    static void write(Path file, String content) {
        try {
            Path tmp = Files.createTempFile(file.getParent(), ".edit", ".tmp");
            Files.writeString(tmp, content, StandardCharsets.UTF_8);
            Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
