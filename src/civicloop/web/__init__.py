"""HTML plumbing shared by every domain's pages: templates, navigation, flashes, charts, static files."""
