"""Getting responses safely and politely: downloader middlewares, the request guard, in-process fetching."""
