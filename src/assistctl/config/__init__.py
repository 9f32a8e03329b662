"""Reading the user's files: YAML with positions, the project file, manifests, provider presets."""
