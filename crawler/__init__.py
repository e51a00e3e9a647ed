"""cleanwire's Scrapy project: spiders, pipelines and the `cleanwire` command line."""
