package org.dlc4j.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class ProvenanceTest {

    @Test
    void commitIsAShortHashOrUnknown() {
        String commit = Provenance.commit();
        assertTrue(commit.equals("unknown") || commit.matches("[0-9a-f]{4,40}(-dirty)?"), commit);
        assertEquals(commit, Provenance.commit());
    }

    @Test
    void commandDefaultsToEmptyAndCanBeSet() {
        try {
            Provenance.setCommand(null);
            assertEquals("", Provenance.command());
            Provenance.setCommand("dlc4j train --steps 5");
            assertEquals("dlc4j train --steps 5", Provenance.command());
        } finally {
            Provenance.setCommand("");
        }
    }
}
