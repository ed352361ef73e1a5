using System.Buffers;

namespace LiveIm.Redis.Tests.Support;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, the shape a pipe hands the parser.</summary>
public static class Segments
{
    /// <summary>Cuts <paramref name="bytes"/> at the given offsets (ascending) into one sequence of several segments.</summary>
    public static ReadOnlySequence<byte> Split(byte[] bytes, params int[] cuts)
    {
        var bounds = new List<int> { 0 };
        bounds.AddRange(cuts);
        bounds.Add(bytes.Length);
        Segment? first = null;
        Segment? last = null;
        for (var i = 0; i + 1 < bounds.Count; i++)
        {
            var memory = bytes.AsMemory(bounds[i], bounds[i + 1] - bounds[i]).ToArray();
            if (first is null)
            {
                first = last = new Segment(memory, 0);
            }
            else
            {
                last = last!.Append(memory);
            }
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory, long runningIndex)
        {
            Memory = memory;
            RunningIndex = runningIndex;
        }

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory, RunningIndex + Memory.Length);
            Next = next;
            return next;
        }
    }
}
