"""Reports: the report document (a plain dict, described by a JSON Schema) and its renderers."""
