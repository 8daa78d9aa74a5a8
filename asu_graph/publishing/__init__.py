"""Publishing the graph: file layout, VoID, DCAT, sitemaps, releases and change sets."""
