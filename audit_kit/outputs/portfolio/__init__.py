"""The consultant's outputs in PDF: the portfolio report, the progress page and the brand."""
