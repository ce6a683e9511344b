"""loccount's tests: a package, so helper modules import as ``tests.<module>``."""
