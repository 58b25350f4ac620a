"""Real data sets, one per file: where each comes from, how it is cached, and its fixed split."""
