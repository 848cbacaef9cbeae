// Each test starts real processes (up to three edges and a PostgreSQL); two at a time is what two shared cores can take.
[assembly: CollectionBehavior(MaxParallelThreads = 2)]
