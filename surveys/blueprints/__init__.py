"""One blueprint per audience; each only maps URLs to services and templates."""
