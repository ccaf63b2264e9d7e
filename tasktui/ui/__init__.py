"""The Textual app: the App (a router, app.py), its screens and widgets, and its
stylesheet. Nothing outside this package imports Textual."""
