/**
 * Data sets: Fashion-MNIST from IDX files, PNG folders and npz image sets, held in memory as an
 * {@link org.dlc4j.data.ImageDataset}; the {@link org.dlc4j.data.DlcFile} of codes that {@code dlc encode} writes; and
 * the resumable {@link org.dlc4j.data.BatchSampler}. The training and evaluation packages read their inputs through it.
 */
package org.dlc4j.data;
