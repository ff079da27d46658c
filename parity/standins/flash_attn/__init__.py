"""Stand-in for flash-attention (CUDA only, not packaged by Debian): see flash_attn_interface.

It deliberately has no `flash_attn.layers` subpackage, so SEDD's rotary.apply_rotary_pos_emb fails its
`import flash_attn.layers.rotary` and takes its own pure-PyTorch path (qkv·cos + rotate_half(qkv)·sin).
"""
