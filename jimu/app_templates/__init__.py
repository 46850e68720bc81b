"""App templates: template apps and their install, export, publish and upgrade."""
