"""Annual review letters: editions (data files), layouts, HTML and PDF rendering, batches and sending."""

from pathlib import Path

SHIPPED_EDITIONS = Path(__file__).parent / "editions"  # the LGSCO's example editions, one `<year>.toml` each
