package org.dlc4j.sem;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.IntStream;
import org.dlc4j.data.DlcFile;

/**
 * How a set of codes uses its vocabulary: the collapse check of the issue. Per position, the fraction of the V
 * tokens that occur and the perplexity exp(H) of their empirical distribution; overall, the number of distinct codes.
 */
public record CodeStats(double[] usage, double[] perplexity, int distinctCodes, int count) {

    public static CodeStats of(DlcFile codes) {
        int l = codes.length();
        int v = codes.vocab();
        int n = codes.count();
        double[] usage = new double[l];
        double[] perplexity = new double[l];
        for (int pos = 0; pos < l; pos++) {
            int[] hist = histogram(codes, pos);
            double h = 0;
            int used = 0;
            for (int c : hist) {
                if (c > 0) {
                    used++;
                    double p = c / (double) n;
                    h -= p * Math.log(p);
                }
            }
            usage[pos] = used / (double) v;
            perplexity[pos] = Math.exp(h);
        }
        return new CodeStats(usage, perplexity, set(codes).size(), n);
    }

    private static int[] histogram(DlcFile codes, int pos) {
        int[] hist = new int[codes.vocab()];
        for (int i = 0; i < codes.count(); i++) {
            hist[codes.tokens()[i * codes.length() + pos]]++;
        }
        return hist;
    }

    private static Set<List<Integer>> set(DlcFile codes) {
        Set<List<Integer>> out = new HashSet<>();
        for (int i = 0; i < codes.count(); i++) {
            out.add(IntStream.of(codes.code(i)).boxed().toList());
        }
        return out;
    }

    /**
     * How far generated codes' token distribution is from real codes': the total variation between the two empirical
     * distributions of each position, averaged over positions (0: identical marginals, 1: disjoint).
     */
    public static double positionTv(DlcFile generated, DlcFile real) {
        double sum = 0;
        for (int pos = 0; pos < real.length(); pos++) {
            int[] g = histogram(generated, pos);
            int[] r = histogram(real, pos);
            double tv = 0;
            for (int k = 0; k < real.vocab(); k++) {
                tv += Math.abs(g[k] / (double) generated.count() - r[k] / (double) real.count()) / 2;
            }
            sum += tv;
        }
        return sum / real.length();
    }

    /** The fraction of generated codes that are exactly one of the real codes: the memorisation check. */
    public static double copyFraction(DlcFile generated, DlcFile real) {
        Set<List<Integer>> known = set(real);
        int copies = 0;
        for (int i = 0; i < generated.count(); i++) {
            if (known.contains(IntStream.of(generated.code(i)).boxed().toList())) {
                copies++;
            }
        }
        return copies / (double) generated.count();
    }

    /** The number of distinct codes. */
    public static int distinct(DlcFile codes) {
        return set(codes).size();
    }

    public double meanUsage() {
        return java.util.Arrays.stream(usage).average().orElse(0);
    }

    public double meanPerplexity() {
        return java.util.Arrays.stream(perplexity).average().orElse(0);
    }

    /** Indices of the {@code k} codes sharing the most positions with code {@code query} (itself excluded; ties by index). */
    public static int[] nearest(DlcFile codes, int query, int k) {
        return nearest(codes.code(query), codes, k, query);
    }

    /**
     * Indices of the {@code k} gallery codes sharing the most positions with {@code code}, most shared first (ties
     * by index); gallery index {@code skip} is left out (−1 for none).
     */
    public static int[] nearest(int[] code, DlcFile gallery, int k, int skip) {
        return top(shared(code, gallery), k, skip);
    }

    /**
     * The share of codes [n·L] whose nearest code in a labelled gallery (most shared positions, ties by index) has the
     * code's label: how much class a code carries, read by the crudest classifier there is.
     */
    public static double nearestLabelAccuracy(int[] codes, int[] labels, DlcFile gallery) {
        return knnLabelAccuracy(codes, labels, gallery, 1);
    }

    /**
     * The share of codes [n·L] whose {@code k} nearest gallery codes (most shared positions, ties by index) vote for
     * the code's label, a tied vote going to the class that reached the tie first in rank order. Read over several k
     * it estimates how much class the code itself carries, whatever reads it: a decoder conditioned on the code cannot
     * name the class more often than the best such classifier, up to what kNN leaves on the table.
     */
    public static double knnLabelAccuracy(int[] codes, int[] labels, DlcFile gallery, int k) {
        int l = gallery.length();
        if (k < 1 || k > gallery.count()) {
            throw new IllegalArgumentException("k = " + k + " outside 1.." + gallery.count());
        }
        int classes = 1 + java.util.Arrays.stream(gallery.labels()).max().orElse(0);
        // Queries are independent, so the parallel count is the serial one.
        long hits = IntStream.range(0, labels.length).parallel().filter(i -> {
            int[] shared = shared(java.util.Arrays.copyOfRange(codes, i * l, (i + 1) * l), gallery);
            int[] votes = new int[classes];
            int[] ranked = top(shared, k, -1);
            int best = gallery.labels()[ranked[0]];
            for (int j : ranked) {
                int c = gallery.labels()[j];
                if (++votes[c] > votes[best]) {
                    best = c;
                }
            }
            return best == labels[i];
        }).count();
        return hits / (double) labels.length;
    }

    /**
     * Each class's share of the votes of the {@code k} gallery codes nearest {@code code}: whether a code, such as a
     * mixture of two sources', still reads as their classes before any decoder sees it.
     */
    public static double[] knnVotes(int[] code, DlcFile gallery, int k, int classes) {
        double[] votes = new double[classes];
        for (int j : top(shared(code, gallery), k, -1)) {
            votes[gallery.labels()[j]] += 1.0 / k;
        }
        return votes;
    }

    /**
     * Indices of the {@code k} largest counts (each ≥ 0), largest first (ties by index), index {@code skip} left out (−1
     * for none). Linear time, by bucketing on the count: the k-nearest-code vote ranks a 60,000-code gallery per query.
     */
    public static int[] top(int[] counts, int k, int skip) {
        int max = 0;
        for (int c : counts) {
            max = Math.max(max, c);
        }
        int[] perCount = new int[max + 1];
        for (int i = 0; i < counts.length; i++) {
            if (i != skip) {
                perCount[counts[i]]++;
            }
        }
        int[] next = new int[max + 1];    // where each count's run begins in the ranked order, largest count first
        for (int c = max - 1; c >= 0; c--) {
            next[c] = next[c + 1] + perCount[c + 1];
        }
        int[] ranked = new int[Math.min(k, next[0] + perCount[0])];
        for (int i = 0; i < counts.length; i++) {
            if (i != skip) {
                int slot = next[counts[i]]++;
                if (slot < ranked.length) {
                    ranked[slot] = i;
                }
            }
        }
        return ranked;
    }

    /** For every gallery code, how many positions it shares with {@code code}. */
    public static int[] shared(int[] code, DlcFile gallery) {
        int l = gallery.length();
        if (code.length != l) {
            throw new IllegalArgumentException("a code of length " + code.length + " against a gallery of length " + l);
        }
        int[] shared = new int[gallery.count()];
        for (int i = 0; i < gallery.count(); i++) {
            for (int p = 0; p < l; p++) {
                if (gallery.tokens()[i * l + p] == code[p]) {
                    shared[i]++;
                }
            }
        }
        return shared;
    }
}
