"""Guards and effects named by the workflow definitions, grouped by feature."""
