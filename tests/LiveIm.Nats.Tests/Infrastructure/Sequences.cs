using System.Buffers;

namespace LiveIm.Nats.Tests.Infrastructure;

/// <summary>Builds multi-segment <see cref="ReadOnlySequence{T}"/>s, the way a socket delivers bytes.</summary>
public static class Sequences
{
    /// <summary>Cuts <paramref name="data"/> at the given offsets (ascending) into separate segments.</summary>
    public static ReadOnlySequence<byte> Split(byte[] data, params int[] cuts)
    {
        var bounds = cuts.Prepend(0).Append(data.Length).ToArray();
        Segment? first = null;
        Segment? last = null;
        for (var i = 0; i < bounds.Length - 1; i++)
        {
            // Copy each piece into its own array so a parser bug reading past a segment cannot see the next bytes.
            var piece = data.AsSpan(bounds[i], bounds[i + 1] - bounds[i]).ToArray();
            var segment = new Segment(piece);
            if (last is null)
            {
                first = segment;
            }
            else
            {
                last.Append(segment);
            }

            last = segment;
        }

        return new ReadOnlySequence<byte>(first!, 0, last!, last!.Memory.Length);
    }

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(byte[] data)
        {
            Memory = data;
        }

        public void Append(Segment next)
        {
            next.RunningIndex = RunningIndex + Memory.Length;
            Next = next;
        }
    }
}
