"""detect-secrets plugins shipped with ideogram-prod (loaded by file path with `--plugin`)."""
