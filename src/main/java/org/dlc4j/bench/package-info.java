/**
 * Benchmarks: {@link org.dlc4j.bench.Bench} times every stage (the training steps and samplers of sem, dit, prior
 * and text) on the project's real code paths, fed random data of the right shapes, and counts model FLOPs;
 * {@code dlc bench} in cli runs it and compares it with the PyTorch reference.
 */
package org.dlc4j.bench;
