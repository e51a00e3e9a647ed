"""Finding a site's articles: URL normalisation, article-or-not rules, the sources file of a scheduled crawl."""
