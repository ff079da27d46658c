package org.dlc4j.report;

/** What the HTML reports share. */
public final class Html {
    private Html() {}

    /** Text made safe to put between tags: &amp;, &lt; and &gt; escaped. */
    public static String escape(String s) {
        return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
    }
}
