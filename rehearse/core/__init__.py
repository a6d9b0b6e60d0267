"""Pure core: value types, errors, home folder, settings, archetypes and the ports (Protocols) of a round."""
