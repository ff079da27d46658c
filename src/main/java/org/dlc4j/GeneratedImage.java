package org.dlc4j;

import java.awt.image.BufferedImage;

/** An image the DiT drew, and the code it drew it from. */
public record GeneratedImage(BufferedImage image, Code code) {
}
