"""Demo and scale data: a realistic store for trying StoreDesk and for benchmarks."""
