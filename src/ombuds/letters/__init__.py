"""Annual review letters: editions (data files), layouts, HTML and PDF rendering, batches and sending."""

from ombuds.schemes import DEFAULT, scheme_folder

SHIPPED_EDITIONS = scheme_folder(DEFAULT) / "editions"  # the LGSCO scheme's example editions, one `<year>.toml` each
