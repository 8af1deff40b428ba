"""Reusable deterministic checks for the eval suites: channel constraints, required disclosures, number tracing,
call-script invariants and call-script mutations.

They are written independently of the agents and tools they judge (a second opinion, not a re-run of the same
code), so a regression in a template, a product sheet or a validator shows up as a failed check.
"""
