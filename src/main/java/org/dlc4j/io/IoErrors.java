package org.dlc4j.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.dlc4j.util.DlcIoException;

/** Turns I/O failures into the one-line, fix-naming messages the CLI prints. */
final class IoErrors {
    private IoErrors() {}

    static DlcIoException notFound(Path path) {
        return new DlcIoException(path + " not found: check the path", null);
    }

    static DlcIoException cannotRead(Path path, IOException e) {
        if (e instanceof NoSuchFileException) {
            return notFound(path);
        }
        if (Files.isDirectory(path)) {
            return new DlcIoException(path + " is a directory: pass the file inside it", e);
        }
        return new DlcIoException("cannot read " + path + ": " + describe(e) + "; check the file's permissions", e);
    }

    static DlcIoException cannotWrite(Path path, IOException e) {
        return new DlcIoException("cannot write " + path + ": " + describe(e)
                + "; check that the directory is writable and the disk has space", e);
    }

    /** The JDK's file exceptions often carry only the path as message; say what went wrong instead. */
    static String describe(IOException e) {
        String what;
        if (e instanceof AccessDeniedException a) {
            what = "permission denied (" + a.getFile() + ")";
        } else if (e instanceof NoSuchFileException n) {
            what = "no such file or directory (" + n.getFile() + ")";
        } else if (e instanceof FileSystemException f && f.getReason() != null) {
            what = f.getReason() + " (" + f.getFile() + ")";
        } else {
            what = e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
        }
        return oneLine(what);
    }

    static String oneLine(String s) {
        return s.replaceAll("\\s*\\R\\s*", " ").strip();
    }
}
