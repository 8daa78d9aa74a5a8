"""Running queries: the workers and their sandbox, the cap, the cache, search."""
