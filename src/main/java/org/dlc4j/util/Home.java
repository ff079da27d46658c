package org.dlc4j.util;

import java.nio.file.Path;

/** Where the project's shipped files live: the {@code dlc} script passes its own folder, tests run from the repository root. */
public final class Home {
    private Home() {}

    public static Path dir() {
        return Path.of(System.getProperty("dlc4j.home", "."));
    }

    /** The shipped trained models ({@code models/} in the repository). */
    public static Path models() {
        return dir().resolve("models");
    }
}
