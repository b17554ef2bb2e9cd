"""The drill app (Textual). The only package that imports textual; everything it shows comes from the core."""
