"""The compiled term pipeline (built by setup.py from the model's own text modules)."""
