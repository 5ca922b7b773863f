"""One module per main area of the window; the main window only composes them."""
