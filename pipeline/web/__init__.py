"""Read-only web page over index.sqlite: search with facets, document view, deadlines
timeline, citations (``chidao serve OUT``)."""
