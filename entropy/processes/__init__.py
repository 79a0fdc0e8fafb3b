"""Process families: validated parameters, reversal and cheap exact properties."""
