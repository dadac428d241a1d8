"""Source packages: one folder per publisher dataset (loader, parser, GX suite, sample)."""
