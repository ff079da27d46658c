"""Stand-in for the parts of timm (PyTorch Image Models) that the authors' dit/models.py imports; Debian has no timm.
See models/vision_transformer.py."""
