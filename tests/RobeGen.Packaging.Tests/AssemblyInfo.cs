// Packing and publishing both build src/RobeGen: one at a time, so they never race in its obj folder.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
