package io.rampart.security.realm.admin;

/** A change or read a realm could not make; the message is for the operator and never holds a secret. */
public final class RealmEditException extends Exception {

    private static final long serialVersionUID = 1L;

    /** What went wrong. */
    public enum Kind {
        /** No such user or role. */
        NOT_FOUND,
        /** A user or role of that name exists already. */
        EXISTS,
        /** A value the realm cannot store; {@link #field()} names it when it can. */
        INVALID,
        /** The realm cannot be changed this way now (its file is broken, it reads users through custom queries). */
        CONFLICT,
        /** The file or database could not be read or written. */
        UNAVAILABLE
    }

    private final Kind kind;
    private final String field;

    public RealmEditException(Kind kind, String message) {
        this(kind, null, message);
    }

    /** @param field the request field the problem is about ({@code roles[1]}), or {@code null} */
    public RealmEditException(Kind kind, String field, String message) {
        super(message, null, false, false);
        this.kind = kind;
        this.field = field;
    }

    public Kind kind() {
        return kind;
    }

    public String field() {
        return field;
    }
}
