"""The fixture news site served on loopback, for `cleanwire demo`, crawl tests and benchmarks."""
