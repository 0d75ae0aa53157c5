"""The documents: Word templates, rendering, relabelling, PDF through LibreOffice, the e-Nothi bundle."""
