"""The HTML site: the search and article pages, their facet panels, the Atom feed."""
