"""Stand-in for einops (not packaged by Debian): only `rearrange`, for the three patterns SEDD's DDiTBlock uses.

    "b s (three h d) -> b s three h d"   split the packed qkv projection (three and h given)
    "b s ... -> (b s) ..."               flatten batch and sequence for the varlen attention call
    "(b s) h d -> b s (h d)"             undo it and merge the heads (b given)

Each is a single reshape of a contiguous tensor, which is exactly what einops computes for these patterns (none of
them permutes axes). Any other pattern raises, so a change in the reference cannot pass through silently.
"""


def rearrange(x, pattern, **sizes):
    p = " ".join(pattern.split())
    if p == "b s (three h d) -> b s three h d":
        three, h = sizes["three"], sizes["h"]
        b, s, n = x.shape
        return x.reshape(b, s, three, h, n // (three * h))
    if p == "b s ... -> (b s) ...":
        return x.reshape(x.shape[0] * x.shape[1], *x.shape[2:])
    if p == "(b s) h d -> b s (h d)":
        b = sizes["b"]
        bs, h, d = x.shape
        return x.reshape(b, bs // b, h * d)
    raise NotImplementedError("einops stand-in: pattern '%s' is not one SEDD uses" % pattern)
