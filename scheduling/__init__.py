"""The pure scheduling core: hours, ranges, slots and matches. Standard library only."""
