package org.dlc4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.File;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javax.imageio.ImageIO;
import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The README's "Use from Java" example is the example project's own code (examples/hello-dlc), and that code compiles
 * against the library and runs on the shipped models, writing its images.
 */
class ReadmeExampleTest {
    static final Path EXAMPLE = Path.of("examples/hello-dlc/src/main/java/example/HelloDlc.java");

    @Test
    void readmeShowsTheExampleProjectsCode() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        String block = between(readme, "<!-- java-example:begin -->", "<!-- java-example:end -->");
        String shown = between(block, "```java\n", "```");
        String code = between(Files.readString(EXAMPLE), "// README:begin\n", "        // README:end");
        assertEquals(dedent(code), dedent(shown), "README's Java example must be the region between the README markers of " + EXAMPLE);
    }

    @Test
    void theExampleCompilesAndWritesItsImages(@TempDir Path dir) throws Exception {
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        Path classes = Files.createDirectories(dir.resolve("classes"));
        // Surefire runs tests from a manifest-only jar; the real class path is in this property.
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        int rc = javac.run(null, null, null, "-d", classes.toString(), "-cp", cp, EXAMPLE.toString());
        assertEquals(0, rc, "the example compiles against the library");
        Path out = dir.resolve("out");
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()}, getClass().getClassLoader())) {
            loader.loadClass("example.HelloDlc").getMethod("main", String[].class).invoke(null, (Object) new String[] {out.toString()});
        }
        for (int i = 0; i < 16; i++) {
            BufferedImage image = ImageIO.read(out.resolve(i + ".png").toFile());
            assertNotNull(image, "image " + i);
            assertEquals(List.of(28, 28), List.of(image.getWidth(), image.getHeight()), "the shipped DiT draws at the native 28 px");
        }
        assertTrue(new File(out.toFile(), "15.png").length() > 0);
    }

    private static String between(String s, String begin, String end) {
        int a = s.indexOf(begin);
        assertTrue(a >= 0, "missing " + begin);
        int b = s.indexOf(end, a + begin.length());
        assertTrue(b >= 0, "missing " + end);
        return s.substring(a + begin.length(), b);
    }

    private static String dedent(String s) {
        List<String> lines = s.strip().equals("") ? List.of() : s.stripTrailing().lines().dropWhile(String::isBlank).toList();
        int indent = lines.stream().filter(l -> !l.isBlank()).mapToInt(l -> l.length() - l.stripLeading().length()).min().orElse(0);
        return String.join("\n", lines.stream().map(l -> l.isBlank() ? "" : l.substring(indent)).toList());
    }
}
