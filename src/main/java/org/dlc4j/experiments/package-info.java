/**
 * The paper's experiments and the benchmarks, each a class a command or a Java program runs: the toy study of
 * Figure 2 ({@link org.dlc4j.experiments.ToyStudy}), the composition table and weight sweep of Section 5.2
 * ({@link org.dlc4j.experiments.CompositionStudy}), the DiT curve of Figure 4 ({@link org.dlc4j.experiments.DitCurve}),
 * the prior sweep of Figure 8 ({@link org.dlc4j.experiments.PriorSweep}), the text-to-image table of Section 6
 * ({@link org.dlc4j.experiments.TextTable}), linear probes ({@link org.dlc4j.experiments.Probes}), the evaluator's sanity
 * table, the demo, the whole training chain with its report ({@link org.dlc4j.experiments.Chain}), and the throughput
 * suite ({@link org.dlc4j.experiments.BenchSuite}). They sit on top: they use the
 * pipeline and the models and report through the listener; nothing below imports them.
 */
package org.dlc4j.experiments;
