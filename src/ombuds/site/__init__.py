"""The public site: "Your council's performance"."""
