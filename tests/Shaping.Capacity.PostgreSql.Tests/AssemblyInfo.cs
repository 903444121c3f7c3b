// The load and fault tests measure nothing, but they share a 2-core machine with the database server:
// running test classes one after another keeps them quick and their interleavings meaningful.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
