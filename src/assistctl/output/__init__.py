"""What the user reads: plan and drift renderers, validate reporters, progress, docs generation."""
