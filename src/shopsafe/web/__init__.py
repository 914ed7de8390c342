"""What every page and endpoint shares: the request transaction, who is asking, layout."""
