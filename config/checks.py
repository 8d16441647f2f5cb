"""System checks of the deployment itself."""
