package org.dlc4j.util;

/** The per-thread listener behind {@link Listener#current()}. */
final class ListenerScope {
    static final ThreadLocal<Listener> CURRENT = ThreadLocal.withInitial(() -> Listener.SILENT);

    private ListenerScope() {}
}
