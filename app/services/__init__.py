"""Use cases. Plain commands in, plain (frozen dataclass) results out; no ORM rows leak out."""
