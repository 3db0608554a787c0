"""Credit generation: programs bundle many small token lots into J-Credit-style credits."""
