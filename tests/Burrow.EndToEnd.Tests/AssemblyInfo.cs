// Each test starts real processes; two at a time is what two shared cores can take.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
