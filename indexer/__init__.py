"""Turn Vietnamese news articles into a Whoosh index: read, parse, extract, analyse, write."""
