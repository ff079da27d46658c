/**
 * Composition: new conditions mixed from the codes, SEM distributions or SEM vectors of several sources
 * ({@link org.dlc4j.compose.Mixing}, {@link org.dlc4j.compose.Source}, {@link org.dlc4j.compose.Composition}). The
 * sources are usually images encoded by sem; the DLC or SEM-vector DiT of dit decodes the mixed conditions into images.
 */
package org.dlc4j.compose;
