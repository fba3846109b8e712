"""The fill-in workbook: a pre-parse guard, one shared layout, the template writer, the reader."""
