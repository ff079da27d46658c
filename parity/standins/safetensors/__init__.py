"""Stand-in for the `safetensors` package (not in Debian's python3 set here).

The reference's dinov2/utils/utils.py imports `safetensors.torch.load_file` at module level, to load pretrained
checkpoints; the goldens never load one. This empty package (with `torch.load_file` raising) only lets the import succeed.
"""
