/**
 * The facade a Java user starts from: {@code Dlc} loads a set of trained models and encodes, decodes, generates,
 * composes and samples from prompts.
 */
package org.dlc4j;
