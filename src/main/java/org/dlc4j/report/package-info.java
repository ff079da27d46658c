/**
 * Rendering results for people: image grids, plots, heat maps and HTML; file formats live in io.
 */
package org.dlc4j.report;
