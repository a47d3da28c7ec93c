"""What faces people: one sub-package per channel or surface."""
