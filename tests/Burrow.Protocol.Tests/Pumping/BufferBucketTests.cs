using Burrow.Protocol.Pumping;

namespace Burrow.Protocol.Tests.Pumping;

public sealed class BufferBucketTests
{
    [Fact]
    public void A_returned_buffer_is_rented_again_and_a_full_bucket_keeps_no_more()
    {
        var bucket = new BufferBucket(size: 32, maxKept: 2);
        byte[] first = bucket.Rent();
        Assert.Equal(32, first.Length);
        bucket.Return(first);
        Assert.Same(first, bucket.Rent());

        bucket.Return(new byte[32]);
        bucket.Return(new byte[32]);
        bucket.Return(new byte[32]);
        Assert.Equal(2, bucket.Count);
        Assert.Throws<ArgumentException>(() => bucket.Return(new byte[16]));
    }

    [Fact]
    public void Trim_lets_go_of_what_no_rental_needed_since_the_last_trim_and_keeps_what_a_steady_load_uses()
    {
        var bucket = new BufferBucket(size: 8, maxKept: 64);
        // A burst: 10 buffers in use at once, then all back.
        byte[][] burst = [.. Enumerable.Range(0, 10).Select(_ => bucket.Rent())];
        foreach (byte[] buffer in burst)
        {
            bucket.Return(buffer);
        }

        // The burst was in this period: nothing was idle for all of it.
        Assert.Equal(0, bucket.Trim());
        Assert.Equal(10, bucket.Count);

        // A steady load of 3 at a time through the next period: 7 were never needed.
        for (int round = 0; round < 5; round++)
        {
            byte[][] inUse = [bucket.Rent(), bucket.Rent(), bucket.Rent()];
            foreach (byte[] buffer in inUse)
            {
                bucket.Return(buffer);
            }
        }

        Assert.Equal(7, bucket.Trim());
        Assert.Equal(3, bucket.Count);

        // Then no load at all: the rest goes too.
        Assert.Equal(3, bucket.Trim());
        Assert.Equal(0, bucket.Count);
        Assert.Equal(0, bucket.Trim());
    }
}
