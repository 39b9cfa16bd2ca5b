"""The demo project's data: short product and service reviews in English and Spanish, written for Consenso."""
