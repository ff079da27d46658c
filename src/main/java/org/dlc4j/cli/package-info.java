/**
 * The picocli command line {@code dlc}: {@link org.dlc4j.cli.Main} with one subcommand per job (demo, toy, data,
 * eval, sem, encode, dit, prior, generate, compose, text, chain, bench, inspect). Commands parse options, call the library and
 * map its exceptions to one-line messages that name the user's flags; nothing outside this package uses it.
 */
package org.dlc4j.cli;
