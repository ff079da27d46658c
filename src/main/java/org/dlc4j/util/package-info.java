/**
 * Small helpers every package may use, depending on nothing else in dlc4j: the reproducible
 * {@link org.dlc4j.util.Rng}, the typed exceptions ({@link org.dlc4j.util.DlcException} and its three kinds: bad input,
 * models that do not fit together, unreadable files), the {@link org.dlc4j.util.Listener} that hears long work (the
 * library never prints), and {@link org.dlc4j.util.Home}, where the shipped files live.
 */
package org.dlc4j.util;
