"""Front-end files: the stylesheet compiled at set-up, the profile's colours as CSS, the enhancement script."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from ombuds.errors import OmbudsError
from ombuds.profile import Profile

STATIC = Path(str(resources.files("ombuds.site").joinpath("static")))
COMPILED = STATIC / "vendor" / "site.css"
DEFAULT_LOGO = STATIC / "logo.svg"


def compiled_css() -> Path:
    """The site stylesheet built by `make` (scripts/build-assets.sh) from GOV.UK Frontend and site.scss."""
    if not COMPILED.is_file():
        raise OmbudsError(f"the site stylesheet {COMPILED} has not been built: run 'make assets' (the set-up does)")
    return COMPILED


def profile_css(profile: Profile) -> str:
    """The organisation's colours as CSS custom properties (a file, since the site's CSP forbids inline styles)."""
    return (":root{"
            f"--brand:{profile.primary};--brand-accent:{profile.accent};--brand-text:{profile.text_on_primary}"
            "}\n")
