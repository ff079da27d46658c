package org.dlc4j.cli;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dlc4j.hub.HubImport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code dlc import hf}: a downloaded Hugging Face model folder of a released DLC model → a dlc4j model set. */
@Command(name = "hf", mixinStandardHelpOptions = true, description = {
        "Import a released model downloaded from the Hugging Face hub: lavoies/SEM_dinov2_L512 (encoder), lavoies/DLC_DiT_L512 "
                + "(the DiT pipeline: its transformer/ and vae/), lavoies/DLC_SEDD_L512 (prior), or an SD VAE (e.g. stabilityai/sd-vae-ft-ema).",
        "The folder holds config.json and model.safetensors, diffusion_pytorch_model.safetensors or pytorch_model.bin (sharded files with "
                + "their .index.json too). Names are mapped and every shape checked; the checkpoints land in OUT's sem/, dit/, vae/ or prior/ "
                + "with the source repository and the SHA-256 of each file read."})
public final class ImportHfCommand implements Callable<Integer> {
    @Mixin
    CommonOptions common;

    @Parameters(paramLabel = "DIR", description = "The downloaded model folder (e.g. from huggingface-cli download lavoies/DLC_SEDD_L512 --local-dir DIR).")
    Path dir;

    @Option(names = "--out", defaultValue = "models-released", description = "The model set to write into (default: ${DEFAULT-VALUE}).")
    Path out;

    @Option(names = "--repo", description = "The hub repository DIR was downloaded from, for provenance (default: config.json's _name_or_path, else DIR's name).")
    String repo;

    @Override
    public Integer call() {
        for (HubImport.Imported m : HubImport.run(dir, out, repo)) {
            System.out.println(m.kind().name().toLowerCase(java.util.Locale.ROOT) + ": " + m.describe() + " from " + m.repo() + " → " + m.file());
            m.dropped().forEach((name, why) -> System.out.println("  left out " + name + ": " + why));
        }
        return 0;
    }
}
