"""The instrument and its answers in other tools: XLSForm (ODK/Kobo), REDCap and HL7 FHIR."""
