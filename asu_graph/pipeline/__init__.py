"""Sources -> graph -> validate -> dumps: building the release."""
