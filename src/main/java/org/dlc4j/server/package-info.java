/**
 * {@code dlc serve}: the web app and its JSON API over the {@link org.dlc4j.Dlc} facade ({@link org.dlc4j.server.DlcServer}),
 * and its bounded loopback load test ({@link org.dlc4j.server.LoadTest}). The page and the OpenAPI description are
 * resources of the jar ({@code org/dlc4j/server/web}), so the app works offline. Depends on the facade only.
 */
package org.dlc4j.server;
