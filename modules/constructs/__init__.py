"""One construct per AWS concept, secure by default."""
