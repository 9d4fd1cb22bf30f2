"""What several test rooms share: data paths, the grid of exact squares, catalogue builders,
damaged files, the main window and a private home folder."""
