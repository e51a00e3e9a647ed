"""A crawl shared by several workers through Redis: reliable queue, scheduler, acks and exactly-once output."""
