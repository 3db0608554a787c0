"""The portal's versioned JSON API (one package per version)."""
