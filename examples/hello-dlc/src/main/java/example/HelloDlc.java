package example;

import java.io.File;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;
import org.dlc4j.Code;
import org.dlc4j.Dlc;
import org.dlc4j.GeneratedImage;
import org.dlc4j.Sampling;

/**
 * dlc4j's facade in a few lines: encode two images, then images from one code, from the prior, from the two codes
 * mixed, and from a prompt. Run from a dlc4j checkout (or pass -Ddlc4j.home=PATH-TO-IT); args[0] is the output folder.
 */
public final class HelloDlc {
    public static void main(String[] args) throws Exception {
        String home = System.getProperty("dlc4j.home", ".");
        File out = new File(args.length > 0 ? args[0] : "hello-dlc");
        out.mkdirs();
        // README:begin
        try (Dlc dlc = Dlc.open()) {                                  // the shipped models (-Ddlc4j.home)
            Sampling sampling = Sampling.defaults().withSeed(7).withGuidance(3);
            Code shirt = dlc.encode(ImageIO.read(new File(home, "assets/fmnist/queries/test01000.png")));
            Code boot = dlc.encode(ImageIO.read(new File(home, "assets/fmnist/queries/test01007.png")));
            System.out.println("the boot's code: " + boot);      // 32 tokens out of 64
            List<GeneratedImage> images = new ArrayList<>();
            images.addAll(dlc.decode(boot, 4, sampling));             // 4 images from one code
            images.addAll(dlc.generate(4, sampling));                 // prior → code → image
            images.addAll(dlc.compose(List.of(shirt, boot), null, 4, sampling));   // codes mixed
            images.addAll(dlc.fromPrompt("a photo of a sneaker", 4, sampling));    // text → code → image
            for (int i = 0; i < images.size(); i++) {
                ImageIO.write(images.get(i).image(), "png", new File(out, i + ".png"));
            }
        }
        // README:end
        System.out.println("wrote 16 images to " + out);
    }
}
