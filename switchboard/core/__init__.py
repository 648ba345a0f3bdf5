"""Core: the interface shell (menu, layout), generic object views, health and logging."""
