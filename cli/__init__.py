"""The `rightcall` command: the composition root that may import model, training and serving."""
