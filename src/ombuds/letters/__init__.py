"""Annual review letters: editions (data files), layouts, HTML and PDF rendering, batches and sending."""
