/**
 * The pinned evaluator: a small Fashion-MNIST feature network ({@link org.dlc4j.eval.FeatureNet}) standing in for
 * Inception, and the metrics of the paper's tables in its space: Fréchet distance (FD, sFD, per class), KID, Inception
 * Score, precision and recall, Vendi, and linear probes on frozen representations. {@link org.dlc4j.eval.Evaluator}
 * scores images from any generator against stored reference statistics; it reads data and io, not the model packages.
 */
package org.dlc4j.eval;
