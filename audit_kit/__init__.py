"""audit-kit: self-assessment and gap report for MAT, Twelve-Step Facilitation and COD care."""

__version__ = "0.1.0"
