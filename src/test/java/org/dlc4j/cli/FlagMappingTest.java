package org.dlc4j.cli;

import static org.dlc4j.cli.CliHarness.assertOneLineError;
import static org.dlc4j.cli.CliHarness.run;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The library names the input at fault by its own name and never a flag; the CLI puts the user's flag back. These
 * errors come from library code (a curve file, the SEM recipe, the text sampler, a model path) and must still name the flag.
 */
class FlagMappingTest {
    @Test
    void libraryErrorsComeBackWithTheUsersFlag(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("curve.csv"), "something else\n");
        assertOneLineError(run("dit", "curve", "--out", dir.toString(), "--n", "2", "models/dit/fmnist-dlc.safetensors"), "curve.csv", "(--out)");
        assertOneLineError(run("sem", "train", "--shape", "32by64"), "--shape '32by64' is not LxV");
        assertOneLineError(run("sem", "train", "--global-scale", "0.5,2"), "--global-scale '0.5,2'");
        assertOneLineError(run("text", "sample", "--prompt", "a boot", "--remasking", "sideways", "--out", dir.resolve("c.safetensors").toString()),
                "--remasking 'sideways'");
        assertOneLineError(run("generate", "--prior", dir.resolve("none.safetensors").toString(), "--out", dir.toString()), "the prior model", "not found", "(--prior)");
        assertOneLineError(run("compose", "test:1", "test:2", "--method", "average", "--out", dir.toString()), "--method 'average'");
        assertOneLineError(run("chain", "--quick", "--budget", "dit=5m", "--out", dir.toString()), "--budget: stage 'dit' is not one of");
        assertOneLineError(run("chain", "--quick", "--budget", "prior=lots", "--out", dir.toString()), "--budget 'prior=lots'");
        assertOneLineError(run("chain", "--quick", "--skip", "encoder", "--out", dir.resolve("empty").toString()), "is skipped but", "(--skip)");
        assertOneLineError(run("chain", "--quick", "--folder", dir.toString(), "--size", "30", "--out", dir.resolve("f").toString()),
                "multiple of 8 pixels", "not 30", "(--size)");
        assertOneLineError(run("chain", "--quick", "--warm-start", "features=" + dir, "--out", dir.resolve("w").toString()),
                "only the model stages", "not features", "(--warm-start)");
        assertOneLineError(run("chain", "--quick", "--dit-recipe", "slow", "--out", dir.resolve("r").toString()), "DiT recipe 'slow'", "(--dit-recipe)");
    }
}
