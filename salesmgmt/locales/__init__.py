"""Message catalogues, one module per area; each defines `EN` and `ZH` with the same keys."""
