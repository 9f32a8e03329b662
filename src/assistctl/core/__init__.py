"""Pure logic: normalisation, the plan, saved plans, export and adoption. No I/O."""
