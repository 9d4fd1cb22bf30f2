"""Partnership Atlas's desktop side: PySide6 widgets over models/, no SQL here."""
