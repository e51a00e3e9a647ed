"""cleanwire's spiders: `urls` fetches given URLs; `site` discovers a site's articles."""
