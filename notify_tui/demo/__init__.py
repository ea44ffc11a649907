"""The built-in demo: synthetic, obviously fake cases and a throwaway vault."""
