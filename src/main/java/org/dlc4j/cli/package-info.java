/**
 * The picocli command line {@code dlc}: {@link org.dlc4j.cli.Main} with one subcommand per job (demo, toy, data,
 * eval, sem, encode, dit, prior, generate, compose, text, bench, inspect). Commands parse options and wire the other
 * packages together; the models, metrics and file formats themselves live in those packages.
 */
package org.dlc4j.cli;
