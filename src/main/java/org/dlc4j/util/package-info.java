/**
 * Small helpers every package may use, depending on nothing else in dlc4j: the reproducible
 * {@link org.dlc4j.util.Rng}, {@link org.dlc4j.util.UserException} for problems the CLI reports in one line, terminal
 * progress bars, and {@link org.dlc4j.util.Home}, where the shipped files live.
 */
package org.dlc4j.util;
