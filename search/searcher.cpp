// Placeholder until its owner lands it; see git log.
